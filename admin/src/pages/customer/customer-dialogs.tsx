import { createContext, use, useState, type ReactNode } from 'react';
import type { Coupon, Customer, LedgerEntry } from '../../api/models.js';
import { AdjustPointsDialog } from './dialogs/adjust-points-dialog.js';
import { RemoveCustomActionDialog, TriggerCustomActionDialog } from './dialogs/custom-action-dialog.js';
import { DatesDialog } from './dialogs/dates-dialog.js';
import { MembershipDialog } from './dialogs/membership-dialog.js';
import { NoteDialog } from './dialogs/note-dialog.js';
import { AnonymizeDialog, ReportingDialog } from './dialogs/privacy-dialogs.js';
import { GiveRewardDialog, RedeemRewardDialog, RevokeCouponDialog } from './dialogs/reward-dialogs.js';
import { ChangeTierDialog, RecalculateTierDialog, ReleaseManualTierDialog } from './dialogs/tier-dialogs.js';

export type DialogRequest =
  | { kind: 'adjust' | 'redeem' | 'give' | 'tier' | 'releaseTier' | 'recalculateTier' | 'membership' | 'dates' | 'customAction' | 'reporting' | 'anonymize' | 'note' }
  | { kind: 'revoke'; coupon: Coupon }
  | { kind: 'removeCustomAction'; entry: LedgerEntry };

const OpenDialog = createContext<(d: DialogRequest) => void>(() => undefined);

/** Opens one of the customer's action dialogs from anywhere on the profile. */
export function useOpenDialog(): (d: DialogRequest) => void {
  return use(OpenDialog);
}

function Current({ request, customer, close }: { request: DialogRequest; customer: Customer; close: () => void }) {
  switch (request.kind) {
    case 'adjust':
      return <AdjustPointsDialog customer={customer} onClose={close} />;
    case 'redeem':
      return <RedeemRewardDialog customer={customer} onClose={close} />;
    case 'give':
      return <GiveRewardDialog customer={customer} onClose={close} />;
    case 'revoke':
      return <RevokeCouponDialog customerId={customer.id} coupon={request.coupon} onClose={close} />;
    case 'tier':
      return <ChangeTierDialog customer={customer} onClose={close} />;
    case 'releaseTier':
      return <ReleaseManualTierDialog customer={customer} onClose={close} />;
    case 'recalculateTier':
      return <RecalculateTierDialog customer={customer} onClose={close} />;
    case 'membership':
      return <MembershipDialog customer={customer} onClose={close} />;
    case 'dates':
      return <DatesDialog customer={customer} onClose={close} />;
    case 'customAction':
      return <TriggerCustomActionDialog customer={customer} onClose={close} />;
    case 'removeCustomAction':
      return <RemoveCustomActionDialog customerId={customer.id} entry={request.entry} onClose={close} />;
    case 'reporting':
      return <ReportingDialog customer={customer} onClose={close} />;
    case 'anonymize':
      return <AnonymizeDialog customer={customer} onClose={close} />;
    case 'note':
      return <NoteDialog customer={customer} onClose={close} />;
  }
}

export function CustomerDialogs({ customer, children }: { customer: Customer; children: ReactNode }) {
  const [request, setRequest] = useState<DialogRequest | null>(null);
  return (
    <OpenDialog value={setRequest}>
      {children}
      {request && <Current request={request} customer={customer} close={() => setRequest(null)} />}
    </OpenDialog>
  );
}
