import type { RecordDetail } from './api/types.js';
import { InvoicePod } from './invoice/invoice-pod.js';
import type { Route } from './route.js';
import { LazyView } from './ui/lazy-view.js';
import { atLeast, usePod } from './ui/pod-context.js';

const loadCompany = () => import('./company/company-pod.js');
const loadWorkbench = () => import('./workbench/workbench-tab.js');
const loadAdmin = () => import('./admin/admin-tab.js');

function NeedsRole({ needed }: { needed: string }) {
  return (
    <p role="status">
      This tab is for Ledgerpod {needed}s. Ask a Ledgerpod admin to map your ConnectWise security role.
    </p>
  );
}

/** `firstStatus`: the invoice pod's record status that came with the sign-in, if it did. */
export function App({ route, firstStatus }: { route: Route; firstStatus?: RecordDetail | null }) {
  const { role } = usePod();
  switch (route.view) {
    case 'invoice':
      return <InvoicePod cwId={route.id} type={route.type} initial={firstStatus} />;
    case 'company':
      return <LazyView load={loadCompany} props={{ cwId: route.id }} />;
    case 'workbench':
      return atLeast(role, 'accountant') ? (
        <LazyView load={loadWorkbench} props={{}} />
      ) : (
        <NeedsRole needed="accountant" />
      );
    case 'admin':
      return atLeast(role, 'admin') ? <LazyView load={loadAdmin} props={{}} /> : <NeedsRole needed="admin" />;
    default:
      return <p role="alert">{route.why}</p>;
  }
}
