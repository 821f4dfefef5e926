/** Escapes text and attribute values; every value a simulator page shows goes through it. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A query or form value as text: anything else (absent, repeated) is empty. */
export const formText = (value: unknown): string => (typeof value === 'string' ? value : '');

/** How a simulated web app looks: its name, a line saying what it stands in for, its header class and CSS. */
export interface AppBrand {
  name: string;
  tagline: string;
  headerClass: string;
  style: string;
}

/** One server-rendered page of a simulated web app, in that app's colours. */
export function appPage(brand: AppBrand, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} - ${esc(brand.name)}</title>
<style>${brand.style}</style>
</head>
<body>
<header class="${esc(brand.headerClass)}"><b>${esc(brand.name)}</b><small>${esc(brand.tagline)}</small></header>
<main>
<h1>${esc(title)}</h1>
${body}
</main>
</body>
</html>`;
}
