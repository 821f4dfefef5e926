import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { listen, type RunningSim } from '../kit/listen.js';
import { memberParam, type PageContext, type ShellMember } from './html.js';
import { type InvoiceEditor, operationsFor } from './invoice-editor.js';
import { type MemberAuthProvider, memberAuthFromCwSim } from './member-auth.js';
import { defaultPodSlots, type PodSlots } from './pod-slots.js';
import { companyPage, invoiceListPage, invoicePage, notFoundPage, todayPage } from './screens.js';
import { demoRecords, type ShellRecords } from './shell-records.js';

export type CwShellOptions = {
  /** Our backend's origin; pods load from `{podBaseUrl}/pod/`. */
  podBaseUrl: string;
  members: ShellMember[];
  /** Fixed records, or a function read on every page so the screens follow a live simulator. */
  records?: Partial<ShellRecords> | (() => Promise<Partial<ShellRecords>>);
  /** Overrides the pods per slot (each screen may host several, as ConnectWise allows). */
  pods?: Partial<PodSlots>;
  /** Makes the invoice screen editable (number, status), saving through this. */
  invoiceEditor?: InvoiceEditor;
} & ({ memberAuth: MemberAuthProvider } | { cwSimUrl: string });

/**
 * A stand-in for ConnectWise PSA's screens: it embeds our pods and speaks the Hosted API to them
 * from `assets/hosted-host.js`, so the pod can be built and tested without a ConnectWise instance.
 */
export function createCwShell(options: CwShellOptions): Express {
  if (options.members.length === 0) throw new Error('cw-shell needs at least one member');
  const memberAuth = 'memberAuth' in options ? options.memberAuth : memberAuthFromCwSim(options.cwSimUrl);
  const recordsNow = async (): Promise<ShellRecords> => ({
    ...demoRecords(),
    ...(typeof options.records === 'function' ? await options.records() : options.records),
  });
  const pods = { ...defaultPodSlots(options.podBaseUrl), ...options.pods };

  const memberFor = (wanted: unknown) =>
    options.members.find((m) => m.role === wanted || m.identifier === wanted) ??
    options.members.find((m) => m.role === 'accountant') ??
    options.members[0]!;
  const context = (req: Request): PageContext => ({
    member: memberFor(req.query.member),
    members: options.members,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use('/__shell/assets', express.static(assetsDir(), { fallthrough: false }));
  app.use(express.json());

  // ConnectWise knows who is logged in; here the page tells its own server which member it shows.
  // While the member's ConnectWise session has expired (signed out below), CW has no member to
  // hand a pod. How the Hosted API then answers getmemberauthentication is not published; a switch
  // per plausible answer (`answer` in /__shell/session): 'no-member', the response without data;
  // 'errors', the response carrying `errors`, the way CW's client script reports a failure
  // (domain.md §8).
  const signedOut = new Map<string, 'no-member' | 'errors'>();
  app.post('/__shell/member-auth', async (req, res) => {
    const member = memberFor((req.body as { member?: unknown } | undefined)?.member);
    const answer = signedOut.get(member.identifier);
    if (answer) {
      res.status(401).json({ error: 'The member session has expired', answer });
      return;
    }
    res.json(await memberAuth(member.identifier));
  });
  // Test control: the member's ConnectWise session expires (`signedIn: false`) or is back.
  app.post('/__shell/session', (req, res) => {
    const body = req.body as { member?: unknown; signedIn?: unknown; answer?: unknown } | undefined;
    const member = memberFor(body?.member);
    if (body?.signedIn === false)
      signedOut.set(member.identifier, body.answer === 'errors' ? 'errors' : 'no-member');
    else signedOut.delete(member.identifier);
    res.json({ member: member.identifier, signedIn: !signedOut.has(member.identifier) });
  });

  // The invoice screen's Save, once every pod acknowledged beforeSave (assets/record-screen.js).
  const invoiceChange = z
    .object({
      invoiceNumber: z.string().max(100).optional(),
      statusId: z.number().int().optional(),
    })
    .strict();
  app.post('/__shell/invoices/:id', async (req, res) => {
    const id = Number(req.params.id);
    const change = invoiceChange.safeParse(req.body);
    if (!options.invoiceEditor || !Number.isInteger(id) || !change.success) {
      res.status(400).json({ code: 'InvalidObject', message: 'This screen cannot save that change' });
      return;
    }
    const operations = operationsFor(change.data);
    if (operations.length === 0) return void res.status(204).end();
    const result = await options.invoiceEditor(id, operations);
    res.status(result.status).json(result.body);
  });

  app.get('/', (req, res) => {
    const { member, members } = context(req);
    res.redirect(`/invoices?member=${encodeURIComponent(memberParam(member, members))}`);
  });
  app.get('/invoices', async (req, res) => {
    const records = await recordsNow();
    res.type('html').send(invoiceListPage(context(req), records.invoices));
  });
  app.get('/invoices/:id', async (req, res) => {
    const records = await recordsNow();
    const invoice = records.invoices.find((i) => String(i.id) === req.params.id);
    if (!invoice)
      return void res
        .status(404)
        .type('html')
        .send(notFoundPage(context(req), 'Invoice'));
    const edit = options.invoiceEditor ? { statuses: records.billingStatuses ?? [] } : undefined;
    res.type('html').send(invoicePage(context(req), invoice, pods.invoice, edit));
  });
  app.get('/companies', async (req, res) => {
    const [first] = (await recordsNow()).companies;
    const { member, members } = context(req);
    res.redirect(`/companies/${first?.id ?? 0}?member=${encodeURIComponent(memberParam(member, members))}`);
  });
  app.get('/companies/:id', async (req, res) => {
    const records = await recordsNow();
    const company = records.companies.find((c) => String(c.id) === req.params.id);
    if (!company)
      return void res
        .status(404)
        .type('html')
        .send(notFoundPage(context(req), 'Company'));
    res.type('html').send(companyPage(context(req), company, pods.company));
  });
  app.get('/today', (req, res) => {
    const tabs = [
      ...pods.workbench.map((slot, i) => ({ key: i ? `workbench-${i}` : 'workbench', slot })),
      ...pods.admin.map((slot, i) => ({ key: i ? `admin-${i}` : 'admin', slot })),
    ];
    res.type('html').send(todayPage(context(req), tabs, String(req.query.tab ?? 'workbench')));
  });
  // A member ConnectWise will not sign in reaches the pod as `data: null`, as the pod must handle.
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(502).json({ error: error.message });
  });
  return app;
}

export function startCwShell(options: CwShellOptions, port = 0): Promise<RunningSim> {
  return listen(createCwShell(options), port);
}

/** Next to this file when run from source; compiled output has no assets, so fall back to the source tree. */
function assetsDir(): string {
  const beside = fileURLToPath(new URL('./assets', import.meta.url));
  if (existsSync(beside)) return beside;
  return fileURLToPath(new URL('../../../sim/cw-shell/assets', import.meta.url));
}
