import type { Config } from '../config.js';
import { createWorker, openRuntime } from '../runtime.js';

export async function runWorker(config: Config, once: boolean): Promise<number> {
  const rt = await openRuntime(config);
  const { worker, scheduler, dispatcher } = createWorker(rt);
  if (once) {
    await scheduler.tick(true);
    const n = await worker.drain();
    await dispatcher.drain();
    process.stdout.write(`Ran ${n} job(s)\n`);
    await rt.close();
    return 0;
  }
  worker.start();
  dispatcher.start();
  process.stdout.write(`Worker ${worker.id} running (database: ${rt.ctx.database.kind})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dispatcher.stop();
  await worker.stop();
  await rt.close();
  return 0;
}
