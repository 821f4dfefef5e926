/**
 * The admin's browser in an OAuth connect, without Chromium: the pod's authorize call, then what
 * the popup's start page does once the pod hands it the ticket (POST begin), keeping the binding
 * cookie in a jar that later requests of this "browser" send, as a browser would.
 */
export class ConsentBrowser {
  private readonly jar = new Map<string, string>();

  constructor(private readonly podUrl: string) {}

  /** Starts a consent as the session `token`; answers the provider's authorize URL (with state). */
  async begin(token: string, kind: 'qbo' | 'xero'): Promise<{ startUrl: string; providerUrl: string }> {
    const started = await fetch(`${this.podUrl}/api/v1/connections/${kind}/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (started.status !== 200)
      throw new Error(`authorize answered ${started.status}: ${await started.text()}`);
    const { url: startUrl, ticket } = (await started.json()) as { url: string; ticket: string };
    const begun = await this.fetch(`${this.podUrl}/oauth/${kind}/begin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ticket }),
    });
    if (begun.status !== 200) throw new Error(`begin answered ${begun.status}: ${await begun.text()}`);
    return { startUrl, providerUrl: ((await begun.json()) as { url: string }).url };
  }

  /** The cookies this browser holds now, name and value (the binding cookies of open consents). */
  cookies(): [string, string][] {
    return [...this.jar];
  }

  /** fetch with this browser's cookies; keeps the cookies the answer sets. */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const res = await fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = set.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.jar.delete(name);
      else this.jar.set(name, pair.slice(eq + 1).trim());
    }
    return res;
  }
}
