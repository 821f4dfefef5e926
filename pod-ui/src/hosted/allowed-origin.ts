/**
 * The ConnectWise origin this pod may talk to. The installer can pin it in the hosted-setup URL
 * (`?cwOrigin=https://na.myconnectwise.net`); otherwise the framing page's origin from the
 * referrer. Without either, the first origin that completes the handshake is pinned.
 */
export function allowedOriginFor(location: Pick<Location, 'search'>, referrer: string): string | undefined {
  const pinned = new URLSearchParams(location.search).get('cwOrigin');
  return originOf(pinned) ?? originOf(referrer);
}

function originOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
