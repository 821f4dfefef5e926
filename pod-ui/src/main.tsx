import './ui/base.css';
import { render } from 'preact';
import type { RecordDetail } from './api/types.js';
import { App } from './app.js';
import { connectHostedApi, type SessionError, startSession } from './hosted/index.js';
import { parseRoute } from './route.js';
import { PodContext } from './ui/pod-context.js';

/** Pods only make sense inside a ConnectWise screen; opened directly, say so plainly. */
function OutsideConnectWise() {
  return (
    <p role="status">
      Not inside ConnectWise. Ledgerpod runs inside ConnectWise PSA: open an invoice, company or the Ledgerpod
      tab in ConnectWise to see accounting status here.
    </p>
  );
}

function SignInFailed({ error }: { error: SessionError }) {
  return (
    <div role="alert" class="problem">
      <p class="problem-message">{error.message}</p>
      {error.hint && <p class="problem-hint">{error.hint}</p>}
    </div>
  );
}

async function boot(app: HTMLElement) {
  const route = parseRoute(location.search);
  document.body.dataset.view = route.view;
  render(
    <p role="status" class="muted">
      Connecting to ConnectWise…
    </p>,
    app,
  );
  const connection = await connectHostedApi();
  if (!connection.ok) {
    const { error } = connection;
    render(
      error.code === 'not_in_connectwise' ? <OutsideConnectWise /> : <SignInFailed error={error} />,
      app,
    );
    return;
  }
  const record =
    route.view === 'invoice' ? { type: route.type ?? 'invoice', cwId: Number(route.id) } : undefined;
  const result = await startSession(connection.api, { record }).catch(
    (error: unknown): { ok: false; error: SessionError } => ({
      ok: false,
      error: { code: 'session_failed', message: `Sign-in failed: ${String(error)}` },
    }),
  );
  if (!result.ok) return render(<SignInFailed error={result.error} />, app);
  const { session } = result;
  const info = session.info();
  const pod = {
    fetch: session.authorizedFetch,
    role: info.role,
    memberName: info.member.name,
    hosted: connection.api,
  };
  render(
    <PodContext.Provider value={pod}>
      <App route={route} firstStatus={session.takeRecordStatus() as RecordDetail | null | undefined} />
    </PodContext.Provider>,
    app,
  );
}

const app = document.getElementById('app');
if (app) void boot(app);
