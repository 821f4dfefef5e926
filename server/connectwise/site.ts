/**
 * Where a ConnectWise site's REST API lives. Cloud sites (`na.myconnectwise.net`, `eu.`, `au.`, `za.`)
 * serve the API from `api-{region}.myconnectwise.net`; on-premises sites serve it themselves.
 */
export function apiOriginForSite(site: string): string {
  const host = site
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  const cloud = /^(?:api-)?([a-z]+)\.myconnectwise\.net$/.exec(host);
  if (cloud) return `https://api-${cloud[1]}.myconnectwise.net`;
  return `https://${host}`;
}
