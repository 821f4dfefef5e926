// The ConnectWise side of the Hosted API (domain.md §3), for every pod iframe on a shell page.
// Every message is a JSON string; each iframe is answered only from its own pod origin.

/** Protocol traffic, newest last, so tests and curious humans can see what was said. */
window.cwShell ??= { log: [] };
const log = window.cwShell.log;
const EVENT_TIMEOUT_MS = 30_000;
let nextEventId = 1;

export function hostPods({ member, onDirty = () => {} }) {
  const frames = [];

  const post = (frame, message) => {
    log.push({ dir: 'out', frame: frame.id, message });
    frame.iframe.contentWindow?.postMessage(JSON.stringify(message), frame.origin);
  };

  const sendEvent = (frame, event) => {
    const _id = nextEventId++;
    const { screen, recordId, hostedAs } = frame.iframe.dataset;
    const answered = new Promise((resolve) => {
      frame.waiting.set(_id, resolve);
      setTimeout(() => resolve('timeout'), EVENT_TIMEOUT_MS);
    });
    post(frame, { event, _id, data: { screenObject: { screen, id: recordId, hostedAs } } });
    return answered.finally(() => frame.waiting.delete(_id));
  };

  const answerMemberAuth = async (frame, request) => {
    const response = await fetch('/__shell/member-auth', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ member }),
    });
    const _id = request._id ?? nextEventId++;
    if (response.ok) {
      post(frame, { response: 'getmemberauthentication', data: await response.json(), _id });
      return;
    }
    // Signed out: answered without a member, or with `errors` (the shell's switch, cw-shell.ts).
    const refusal = await response.json().catch(() => ({}));
    if (refusal.answer === 'errors') {
      post(frame, { response: 'getmemberauthentication', errors: [refusal.error], _id });
      return;
    }
    post(frame, { response: 'getmemberauthentication', data: null, _id });
  };

  const requests = {
    getmemberauthentication: answerMemberAuth,
    refreshscreen: () => window.location.reload(),
    setdirty: (frame, request) => {
      frame.dirty = Boolean(request.args?.dirty);
      onDirty(frames.some((f) => f.dirty));
    },
    openscreen: (_frame, request) => openScreen(request.args ?? {}),
  };

  const handle = (frame, message) => {
    if (message.message === 'ready') {
      post(frame, { MessageFrameID: frame.id });
      frame.connected = true;
      sendEvent(frame, 'onLoad').then((result) => {
        frame.iframe.dataset.onLoad = result;
      });
      return;
    }
    // ConnectWise reads only `hosted_request` (never `request`), and only for this frame's id.
    if (typeof message.hosted_request === 'string' && message.frameID === frame.id) {
      requests[message.hosted_request.toLowerCase()]?.(frame, message);
      return;
    }
    // CW's client script sends acknowledgements with the frame's frameID (domain.md §8): one without it
    // is not this frame's answer.
    if (typeof message.event === 'string' && message.frameID === frame.id && frame.waiting.has(message._id)) {
      frame.waiting.get(message._id)(message.result);
    }
  };

  window.addEventListener('message', (event) => {
    const frame = frames.find((f) => f.iframe.contentWindow === event.source);
    if (!frame || event.origin !== frame.origin || typeof event.data !== 'string') return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    log.push({ dir: 'in', frame: frame.id, message });
    handle(frame, message);
  });

  return {
    /** Starts a pod: the listener is up before the iframe loads, so its `ready` is never missed. */
    attach(iframe) {
      const src = iframe.dataset.podSrc;
      const frame = {
        iframe,
        origin: new URL(src).origin,
        id: `frame-${crypto.randomUUID()}`,
        waiting: new Map(),
      };
      frames.push(frame);
      iframe.src = src;
    },
    /** Resolves once every connected pod acknowledged beforeSave; a save waits for this. */
    async beforeSave() {
      const connected = frames.filter((f) => f.connected);
      const results = await Promise.all(connected.map((f) => sendEvent(f, 'beforeSave')));
      const refused = results.filter((r) => r !== 'success');
      if (refused.length === 0) for (const f of connected) f.dirty = false;
      return { ok: refused.length === 0, results };
    },
  };
}

const screenPaths = { invoice: '/invoices/', company: '/companies/', today: '/today' };

function openScreen({ screen, id, newTab }) {
  const base = screenPaths[String(screen).toLowerCase()];
  if (!base) return;
  const url = new URL(base.endsWith('/') ? `${base}${encodeURIComponent(id)}` : base, window.location.href);
  url.searchParams.set('member', document.body.dataset.member);
  if (newTab) window.open(url, '_blank');
  else window.location.assign(url);
}
