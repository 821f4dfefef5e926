import { render } from 'preact';

/** Pods only make sense inside a ConnectWise screen; opened directly, say so plainly. */
function OutsideConnectWise() {
  return (
    <p role="status">
      Ledgerpod runs inside ConnectWise PSA. Open an invoice, company or the Ledgerpod tab in ConnectWise to
      see accounting status here.
    </p>
  );
}

const app = document.getElementById('app');
if (app)
  render(
    window.top === window ? <OutsideConnectWise /> : <p role="status">Connecting to ConnectWise…</p>,
    app,
  );
