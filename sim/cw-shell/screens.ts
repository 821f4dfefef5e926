import { esc, fieldPanel, href, layout, type PageContext, podFrame } from './html.js';
import { type PodSlot, podUrl } from './pod-slots.js';
import type { ShellCompany, ShellInvoice } from './shell-records.js';

/** Save button, its status and the dirty flag pods raise with setDirty. */
const saveToolbar = `<div class="cw-toolbar">
  <button type="button" id="save-button" class="cw-button">Save</button>
  <span id="save-status" role="status"></span>
  <span id="dirty-flag" hidden>Unsaved changes</span>
</div>`;

function podPanels(slots: PodSlot[], screen: string, id: number): string {
  return slots
    .map((slot) => {
      const title = slot.title ?? 'Ledgerpod';
      const frame = podFrame(
        podUrl(slot.url, screen, id),
        { screen, id, hostedAs: 'pod' },
        title,
        slot.height,
      );
      return `<section class="cw-panel pod-panel"><h2>${esc(title)}</h2>${frame}</section>`;
    })
    .join('');
}

export function invoiceListPage(ctx: PageContext, invoices: ShellInvoice[]): string {
  const rows = invoices
    .map(
      (i) => `<tr>
  <td><a href="${esc(href(ctx, `/invoices/${i.id}`))}">${esc(i.invoiceNumber)}</a></td>
  <td><a href="${esc(href(ctx, `/companies/${i.company.id}`))}">${esc(i.company.name)}</a></td>
  <td>${esc(i.type)}</td><td>${esc(i.date)}</td><td>${esc(i.dueDate)}</td>
  <td class="num">${esc(i.total)}</td><td class="num">${esc(i.balance)}</td><td>${esc(i.status)}</td>
</tr>`,
    )
    .join('');
  const body = `<section class="cw-panel"><h2>Invoice Search</h2>
<table class="cw-grid"><thead><tr><th>Invoice #</th><th>Company</th><th>Type</th><th>Date</th><th>Due</th>
<th class="num">Total</th><th class="num">Balance</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table></section>`;
  return layout(ctx, { title: 'Invoices', active: '/invoices', body });
}

/**
 * The invoice's number and status as a person edits them in ConnectWise; the toolbar's Save sends
 * them (assets/record-screen.js) once the pods acknowledged beforeSave.
 */
function invoiceEditPanel(invoice: ShellInvoice, statuses: { id: number; name: string }[]): string {
  const known = statuses.some((s) => s.id === invoice.statusId);
  const options = [...(known ? [] : [{ id: invoice.statusId ?? '', name: invoice.status }]), ...statuses]
    .map((s) => {
      const selected = s.id === (invoice.statusId ?? '') ? ' selected' : '';
      return `<option value="${esc(s.id)}"${selected}>${esc(s.name)}</option>`;
    })
    .join('');
  return `<form id="invoice-form" class="cw-edit" data-invoice-id="${esc(invoice.id)}">
<label for="invoice-number">Invoice #</label>
<input id="invoice-number" name="invoiceNumber" maxlength="30" value="${esc(invoice.invoiceNumber)}" data-saved="${esc(invoice.invoiceNumber)}">
<label for="invoice-status">Status</label>
<select id="invoice-status" name="statusId" data-saved="${esc(invoice.statusId ?? '')}">${options}</select>
</form>`;
}

export function invoicePage(
  ctx: PageContext,
  invoice: ShellInvoice,
  pods: PodSlot[],
  edit?: { statuses: { id: number; name: string }[] },
): string {
  const fields = fieldPanel('Invoice', [
    ...(edit ? [] : ([['Invoice #', invoice.invoiceNumber]] as [string, unknown][])),
    ['Type', invoice.type],
    ...(edit ? [] : ([['Status', invoice.status]] as [string, unknown][])),
    ['Company', invoice.company.name],
    ['Invoice Date', invoice.date],
    ['Due Date', invoice.dueDate],
    ['Subtotal', invoice.subtotal],
    ['Sales Tax', invoice.salesTax],
    ['Total', `${invoice.total} ${invoice.currency}`],
    ['Balance', invoice.balance],
  ]);
  const editor = edit
    ? `<section class="cw-panel"><h2>Invoice details</h2>${invoiceEditPanel(invoice, edit.statuses)}</section>`
    : '';
  const body = `${saveToolbar}<div class="cw-columns"><div class="cw-left">${editor}${fields}</div>
<aside class="cw-pods">${podPanels(pods, 'Invoice', invoice.id)}</aside></div>`;
  return layout(ctx, {
    title: `Invoice ${invoice.invoiceNumber}`,
    active: '/invoices',
    body,
    script: 'record-screen.js',
  });
}

export function companyPage(ctx: PageContext, company: ShellCompany, pods: PodSlot[]): string {
  const fields = fieldPanel('Company', [
    ['Company ID', company.identifier],
    ['Company Name', company.name],
    ['Phone', company.phone],
    ['City', company.city],
    ['Account #', company.accountNumber],
  ]);
  const body = `${saveToolbar}<div class="cw-columns"><div class="cw-left">${fields}</div>
<aside class="cw-pods">${podPanels(pods, 'Company', company.id)}</aside></div>`;
  return layout(ctx, { title: company.name, active: '/companies', body, script: 'record-screen.js' });
}

/** The Today screen: ConnectWise's own tab plus Ledgerpod's hosted tabs, loaded when first opened. */
export function todayPage(ctx: PageContext, tabs: { key: string; slot: PodSlot }[], open: string): string {
  const all = [
    { key: 'calendar', title: 'My Calendar' },
    ...tabs.map((t) => ({ key: t.key, title: t.slot.title })),
  ];
  const current = all.some((t) => t.key === open) ? open : 'calendar';
  const buttons = all
    .map(
      (t) =>
        `<button type="button" role="tab" class="cw-tab" data-tab="${esc(t.key)}" aria-selected="${t.key === current}">${esc(t.title ?? t.key)}</button>`,
    )
    .join('');
  const panels = tabs
    .map((t) => {
      const frame = podFrame(
        podUrl(t.slot.url, 'Today', 0),
        { screen: 'Today', id: 0, hostedAs: 'tab' },
        t.slot.title ?? t.key,
      );
      return `<section role="tabpanel" class="cw-tabpanel" data-panel="${esc(t.key)}"${t.key === current ? '' : ' hidden'}>${frame}</section>`;
    })
    .join('');
  const calendar = `<section role="tabpanel" class="cw-tabpanel cw-panel" data-panel="calendar"${current === 'calendar' ? '' : ' hidden'}>
<h2>My Calendar</h2><p>No appointments today.</p></section>`;
  const body = `<div class="cw-tabs" role="tablist">${buttons}</div>${calendar}${panels}`;
  return layout(ctx, { title: 'Today', active: '/today', body, script: 'today-screen.js' });
}

export function notFoundPage(ctx: PageContext, what: string): string {
  return layout(ctx, {
    title: 'Not found',
    active: '',
    body: `<section class="cw-panel"><p>${esc(what)} was not found.</p></section>`,
  });
}
