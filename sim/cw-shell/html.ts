import { esc } from '../kit/html-page.js';

export { esc };

export interface ShellMember {
  /** The ConnectWise member identifier, e.g. `jsmith`. */
  identifier: string;
  name: string;
  role: 'viewer' | 'accountant' | 'admin';
}

export interface PageContext {
  member: ShellMember;
  members: ShellMember[];
}

/** How `?member=` names a member: by role when that role picks them, else by identifier. */
export function memberParam(member: ShellMember, members: ShellMember[]): string {
  return members.find((m) => m.role === member.role) === member ? member.role : member.identifier;
}

/** A link that keeps the chosen member, as every page of the shell accepts `?member=`. */
export const href = (ctx: PageContext, path: string) =>
  `${path}${path.includes('?') ? '&' : '?'}member=${encodeURIComponent(memberParam(ctx.member, ctx.members))}`;

const nav: [string, string][] = [
  ['/invoices', 'Invoices'],
  ['/companies', 'Companies'],
  ['/today', 'Today'],
];

export function layout(
  ctx: PageContext,
  page: { title: string; active: string; body: string; script?: string },
): string {
  const links = nav
    .map(([path, label]) => {
      const current = path.startsWith(page.active) ? ' aria-current="page"' : '';
      return `<a href="${esc(href(ctx, path))}"${current}>${esc(label)}</a>`;
    })
    .join('');
  const options = ctx.members
    .map((m) => {
      const selected = m.identifier === ctx.member.identifier ? ' selected' : '';
      return `<option value="${esc(memberParam(m, ctx.members))}"${selected}>${esc(m.name)} (${esc(m.role)})</option>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(page.title)} - ConnectWise PSA</title>
<link rel="stylesheet" href="/__shell/assets/shell.css">
${page.script ? `<script type="module" src="/__shell/assets/${esc(page.script)}"></script>` : ''}
</head>
<body data-member="${esc(memberParam(ctx.member, ctx.members))}">
<header class="cw-header">
  <span class="cw-logo">ConnectWise <b>PSA</b></span>
  <nav class="cw-nav">${links}</nav>
  <form class="member-switch" method="get">
    <label>Member <select name="member" onchange="this.form.submit()">${options}</select></label>
    <noscript><button>Switch</button></noscript>
  </form>
</header>
<main class="cw-main">
<h1 class="cw-title">${esc(page.title)}</h1>
${page.body}
</main>
</body>
</html>`;
}

/** A grid of label/value rows inside a grey ConnectWise panel. */
export function fieldPanel(heading: string, fields: [string, unknown][]): string {
  const rows = fields.map(([label, value]) => `<dt>${esc(label)}</dt><dd>${esc(value)}</dd>`).join('');
  return `<section class="cw-panel"><h2>${esc(heading)}</h2><dl class="cw-fields">${rows}</dl></section>`;
}

/** The iframe the shell's script attaches to; it sets `src` only once it listens for `ready`. */
export function podFrame(
  src: string,
  screen: { screen: string; id: string | number; hostedAs: 'pod' | 'tab' },
  title: string,
  height?: number,
): string {
  const style = height ? ` style="height:${Number(height)}px"` : '';
  return `<iframe class="pod-frame" title="${esc(title)}" data-pod-src="${esc(src)}" data-screen="${esc(screen.screen)}" data-record-id="${esc(screen.id)}" data-hosted-as="${screen.hostedAs}"${style}></iframe>`;
}
