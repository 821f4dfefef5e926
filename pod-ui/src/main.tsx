import './ui/base.css';
import './ui/pod-scroll.css';
import { render } from 'preact';
import type { RecordDetail } from './api/types.js';
import { App } from './app.js';
import { connectHostedApi, type SessionError, startSession } from './hosted/index.js';
import { parseRoute } from './route.js';
import { PodContext } from './ui/pod-context.js';
import { asSentence } from './ui/problem-box.js';
import { expiredSession, isExpiredSession } from './ui/session-expired.js';

/** Pods only make sense inside a ConnectWise screen; opened directly, say so plainly. */
function OutsideConnectWise() {
  return (
    <p role="status">
      Not inside ConnectWise. Ledgerpod runs inside ConnectWise PSA: open an invoice, company or the Ledgerpod
      tab in ConnectWise to see accounting status here.
    </p>
  );
}

/** Sign-in failed; an expired ConnectWise session says so and offers a new sign-in (a fresh start). */
function SignInFailed({ error }: { error: SessionError }) {
  const expired = isExpiredSession(error.code);
  return (
    <div role="alert" class="problem" data-code={expired ? expiredSession.code : error.code}>
      {/* A security role nobody mapped: the hint names the roles to ask (member-sign-in.ts noAccess). */}
      {error.code === 'forbidden_role' && <p class="problem-title">No access to Ledgerpod yet</p>}
      {expired && <p class="problem-title">{expiredSession.message}</p>}
      <p class="problem-message">{asSentence(error.message)}</p>
      {(expired || error.hint) && <p class="problem-hint">{expired ? expiredSession.hint : error.hint}</p>}
      {expired && (
        <button
          type="button"
          class="btn btn-primary"
          data-testid="sign-in-again"
          onClick={() => location.reload()}
        >
          Sign in again
        </button>
      )}
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
