import { type BuiltInvoice, buildInvoiceWithGl, type Seed } from '../../sim/connectwise/index.js';
import type { MappingKind } from '../records/mappings.js';

/** The demo's ConnectWise company, API member and members: one of each Ledgerpod role. */
export const demoCompanyId = 'ledgerpod-demo';
export const demoApiMember = {
  companyId: demoCompanyId,
  publicKey: 'demo-public-key',
  privateKey: 'demo-private-key',
};
export const demoClientId = '6f0e2a51-2c1b-4d3e-9a7f-5b8c1d2e3f40';

export const demoMembers = [
  {
    id: 178,
    identifier: 'jdoe',
    firstName: 'Jane',
    lastName: 'Doe',
    primaryEmail: 'jane@demo-msp.example',
    securityRole: { id: 63, name: 'Admin' },
    role: 'admin',
  },
  {
    id: 179,
    identifier: 'afinch',
    firstName: 'Amy',
    lastName: 'Finch',
    primaryEmail: 'amy@demo-msp.example',
    securityRole: { id: 64, name: 'Finance' },
    role: 'accountant',
  },
  {
    id: 180,
    identifier: 'ttech',
    firstName: 'Tom',
    lastName: 'Tech',
    primaryEmail: 'tom@demo-msp.example',
    securityRole: { id: 65, name: 'Technician' },
    role: 'viewer',
  },
] as const;

export const demoCompanies = [
  { id: 250, identifier: 'AcmeCorp', name: 'Acme Corporation' },
  { id: 251, identifier: 'Globex', name: 'Globex Industries' },
  { id: 252, identifier: 'Initech', name: 'Initech LLC' },
];
const [acme, globex, initech] = demoCompanies as [
  (typeof demoCompanies)[0],
  (typeof demoCompanies)[0],
  (typeof demoCompanies)[0],
];

const taxed = { taxRate: 8.25, taxCode: { id: 11, name: 'State' } };
const recent = (day: number) => `2025-06-${String(day).padStart(2, '0')}T00:00:00Z`;

/** What each demo invoice shows off once the demo has run its opening moves. */
export interface DemoInvoice {
  built: BuiltInvoice;
  /** Pushed at start: to show synced, paid and failed records from the first look. */
  pushAtStart: boolean;
  /** Paid in QuickBooks at start (a full or partial payment), then written back to ConnectWise. */
  payAtStart?: 'full' | 'partial';
}

export function demoInvoices(): DemoInvoice[] {
  const managed = (amount: number) => ({
    description: 'Managed services (monthly)',
    quantity: 1,
    unitPrice: amount,
    accountNumber: '4000',
  });
  const labour = (hours: number) => ({
    description: 'Onsite labour',
    quantity: hours,
    unitPrice: 125,
    accountNumber: '4000',
  });
  const hardware = (units: number) => ({
    description: 'Firewall appliance',
    quantity: units,
    unitPrice: 640,
    accountNumber: '4100',
  });
  const invoice = (
    id: number,
    company: typeof acme,
    lines: Parameters<typeof buildInvoiceWithGl>[0]['lines'],
    extra = {},
  ) =>
    buildInvoiceWithGl({
      id,
      number: `INV-${id}`,
      company,
      date: recent(id - 1000),
      lines,
      ...taxed,
      ...extra,
    });
  return [
    { built: invoice(1001, acme, [managed(1200), labour(2)]), pushAtStart: true, payAtStart: 'full' },
    { built: invoice(1002, globex, [managed(2400), hardware(2)]), pushAtStart: true, payAtStart: 'partial' },
    { built: invoice(1003, initech, [managed(850)]), pushAtStart: true },
    { built: invoice(1004, acme, [labour(6)]), pushAtStart: false },
    { built: invoice(1005, globex, [managed(2400), labour(3.5)]), pushAtStart: false },
    {
      // A GL account nobody mapped yet: fails with a hint that says where to map it.
      built: invoice(1006, acme, [
        { description: 'Cloud backup licences', quantity: 10, unitPrice: 12.5, accountNumber: '4300' },
      ]),
      pushAtStart: true,
    },
    { built: invoice(1007, initech, [labour(4)], { closed: false }), pushAtStart: true },
    {
      built: buildInvoiceWithGl({
        id: 1008,
        number: 'INV|1008',
        company: globex,
        date: recent(8),
        lines: [labour(1)],
        ...taxed,
      }),
      pushAtStart: true,
    },
    {
      built: buildInvoiceWithGl({
        id: 1009,
        number: 'CM-1009',
        type: 'CreditMemo',
        company: acme,
        date: recent(9),
        lines: [labour(1)],
        ...taxed,
      }),
      pushAtStart: true,
    },
    // Old records for the onboarding sync: dated 2023, never to reach the books.
    ...[1101, 1102, 1103, 1104].map((id) => ({
      built: buildInvoiceWithGl({
        id,
        number: `INV-${id}`,
        company: id % 2 ? acme : initech,
        date: '2023-11-15T00:00:00Z',
        lines: [managed(500)],
        ...taxed,
      }),
      pushAtStart: false,
    })),
  ];
}

/**
 * CW's chart and tax codes, which the admin tab's mapping editor lists: 4300 is on INV-1006 and
 * mapped nowhere, so its failure is fixed there.
 */
const demoGlAccounts = [
  {
    id: 1,
    glType: 'R',
    segment1: '4000',
    mappedType: { id: 1, name: 'Work Role' },
    mappedRecord: { id: 1, name: 'Managed services and labour' },
  },
  {
    id: 2,
    glType: 'R',
    segment1: '4100',
    mappedType: { id: 1, name: 'Work Role' },
    mappedRecord: { id: 2, name: 'Hardware resale' },
  },
  {
    id: 3,
    glType: 'R',
    segment1: '4300',
    mappedType: { id: 1, name: 'Work Role' },
    mappedRecord: { id: 3, name: 'Cloud backup licences' },
  },
];
const demoTaxCodes = [
  { id: 11, identifier: 'State', description: 'State sales tax' },
  { id: 12, identifier: 'Exempt', description: 'Tax exempt' },
];

export function demoConnectWiseSeed(invoices: DemoInvoice[]): Seed {
  return {
    apiMembers: [demoApiMember],
    glAccounts: demoGlAccounts,
    taxCodes: demoTaxCodes,
    companies: demoCompanies,
    members: demoMembers.map(({ role: _role, ...member }) => member),
    invoices: invoices.map((i) => i.built.invoice),
    glTransactions: invoices.map((i) => i.built.glTransaction).filter((g) => g.detail.length > 0),
  } as Seed;
}

/** The demo's QuickBooks company is pre-connected and mapped; these are its mappings. */
export const demoQuickBooksMappings: [MappingKind, string, string][] = [
  ['gl_account', '4000', '1'],
  ['item', '4000', '30'],
  ['gl_account', '4100', '2'],
  ['item', '4100', '31'],
  ['tax_code', 'State', '21'],
  ['tax_code', 'Exempt', '22'],
];
