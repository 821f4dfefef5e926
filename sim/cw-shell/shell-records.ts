/** What the shell shows on its screens; plain display data, not ConnectWise's wire types. */
export interface ShellInvoice {
  id: number;
  invoiceNumber: string;
  type: string;
  status: string;
  /** The billing status id, when the screen can change the status. */
  statusId?: number;
  company: { id: number; name: string };
  date: string;
  dueDate: string;
  subtotal: string;
  salesTax: string;
  total: string;
  balance: string;
  currency: string;
}

export interface ShellCompany {
  id: number;
  identifier: string;
  name: string;
  phone: string;
  city: string;
  accountNumber: string;
}

export interface ShellRecords {
  invoices: ShellInvoice[];
  companies: ShellCompany[];
  /** ConnectWise's billing statuses, offered by the invoice screen's Status field. */
  billingStatuses?: { id: number; name: string }[];
}

const company = (id: number, identifier: string, name: string, city: string): ShellCompany => ({
  id,
  identifier,
  name,
  phone: '555-0100',
  city,
  accountNumber: `AR-${id}`,
});

const invoice = (
  id: number,
  owner: ShellCompany,
  type: string,
  status: string,
  subtotal: string,
  tax: string,
  total: string,
): ShellInvoice => ({
  id,
  invoiceNumber: `INV-${1000 + id}`,
  type,
  status,
  company: { id: owner.id, name: owner.name },
  date: '2025-03-01',
  dueDate: '2025-03-31',
  subtotal,
  salesTax: tax,
  total,
  balance: total,
  currency: 'USD',
});

export function demoRecords(): ShellRecords {
  const acme = company(19, 'AcmeCorp', 'Acme Corporation', 'Tampa');
  const globex = company(20, 'Globex', 'Globex Industries', 'Orlando');
  return {
    companies: [acme, globex],
    invoices: [
      invoice(1, acme, 'Standard', 'Closed', '1200.00', '84.00', '1284.00'),
      invoice(2, acme, 'Agreement', 'Closed', '499.00', '0.00', '499.00'),
      invoice(3, globex, 'CreditMemo', 'Closed', '-150.00', '-10.50', '-160.50'),
      invoice(4, globex, 'Standard', 'Open', '2310.40', '161.73', '2472.13'),
    ],
  };
}
