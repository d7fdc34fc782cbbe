import { Anchor } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client.js';
import { useFormat } from '../../lib/format.js';

/** An order number (`#1091`) that opens the order in this customer's Orders tab. */
export function OrderLink({ order }: { order: { id: string; externalId: string; number?: string | null } }) {
  const fmt = useFormat();
  return (
    <Anchor component={Link} to={`?tab=orders&order=${encodeURIComponent(order.id)}`} fz="inherit" data-testid="order-link">
      {order.number ?? fmt.orderNumber(order.externalId)}
    </Anchor>
  );
}

/** An order known only by its id (e.g. the order that qualified a tier): its number once loaded. */
export function OrderLinkById({ id }: { id: string }) {
  const order = useQuery({
    queryKey: ['order', id],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id } }, signal })),
    staleTime: 60_000,
  });
  if (order.data) return <OrderLink order={order.data} />;
  return <span>{order.isError ? 'An order no longer available' : '…'}</span>;
}
