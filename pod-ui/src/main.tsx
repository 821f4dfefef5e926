import { render } from 'preact';
import { connectHostedApi, type SessionError, type SessionInfo, startSession } from './hosted/index.js';

/** Pods only make sense inside a ConnectWise screen; opened directly, say so plainly. */
function OutsideConnectWise() {
  return (
    <p role="status">
      Not inside ConnectWise. Ledgerpod runs inside ConnectWise PSA: open an invoice, company or the Ledgerpod
      tab in ConnectWise to see accounting status here.
    </p>
  );
}

function SignedIn({ info }: { info: SessionInfo }) {
  return (
    <p role="status">
      Signed in as {info.member.name} ({info.role})
    </p>
  );
}

function SignInFailed({ error }: { error: SessionError }) {
  return (
    <div role="alert">
      <p>{error.message}</p>
      {error.hint && <p>{error.hint}</p>}
    </div>
  );
}

async function boot(app: HTMLElement) {
  render(<p role="status">Connecting to ConnectWise…</p>, app);
  const connection = await connectHostedApi();
  if (!connection.ok) {
    const { error } = connection;
    render(
      error.code === 'not_in_connectwise' ? <OutsideConnectWise /> : <SignInFailed error={error} />,
      app,
    );
    return;
  }
  const result = await startSession(connection.api).catch(
    (error: unknown): { ok: false; error: SessionError } => ({
      ok: false,
      error: { code: 'session_failed', message: `Sign-in failed: ${String(error)}` },
    }),
  );
  render(result.ok ? <SignedIn info={result.session.info()} /> : <SignInFailed error={result.error} />, app);
}

const app = document.getElementById('app');
if (app) void boot(app);
