/** A small but realistic US chart for a new sandbox company: accounts, tax, items, terms, classes. */
export const defaultChart = {
  Account: [
    { Id: '1', Name: 'Services', AccountType: 'Income', AccountSubType: 'ServiceFeeIncome', AcctNum: '4000' },
    {
      Id: '2',
      Name: 'Sales of Product Income',
      AccountType: 'Income',
      AccountSubType: 'SalesOfProductIncome',
      AcctNum: '4100',
    },
    {
      Id: '3',
      Name: 'Accounts Receivable (A/R)',
      AccountType: 'Accounts Receivable',
      AccountSubType: 'AccountsReceivable',
      AcctNum: '1200',
    },
    {
      Id: '4',
      Name: 'Accounts Payable (A/P)',
      AccountType: 'Accounts Payable',
      AccountSubType: 'AccountsPayable',
      AcctNum: '2000',
    },
    {
      Id: '5',
      Name: 'Undeposited Funds',
      AccountType: 'Other Current Asset',
      AccountSubType: 'UndepositedFunds',
      AcctNum: '1499',
    },
    {
      Id: '6',
      Name: 'Cost of Goods Sold',
      AccountType: 'Cost of Goods Sold',
      AccountSubType: 'SuppliesMaterialsCogs',
      AcctNum: '5000',
    },
    {
      Id: '7',
      Name: 'Subcontractors',
      AccountType: 'Expense',
      AccountSubType: 'CostOfLabor',
      AcctNum: '6100',
    },
    { Id: '8', Name: 'Checking', AccountType: 'Bank', AccountSubType: 'Checking', AcctNum: '1000' },
  ],
  TaxRate: [{ Id: '20', Name: 'State Sales Tax 8.25%', RateValue: 8.25, Active: true }],
  TaxCode: [
    {
      Id: '21',
      Name: 'Taxable 8.25%',
      Taxable: true,
      TaxGroup: false,
      SalesTaxRateList: {
        TaxRateDetail: [
          {
            TaxRateRef: { value: '20', name: 'State Sales Tax 8.25%' },
            TaxTypeApplicable: 'TaxOnAmount',
            TaxOrder: 0,
          },
        ],
      },
    },
    { Id: '22', Name: 'Exempt', Taxable: false, TaxGroup: false },
  ],
  Item: [
    {
      Id: '30',
      Name: 'Managed Services',
      Type: 'Service',
      IncomeAccountRef: { value: '1', name: 'Services' },
    },
    {
      Id: '31',
      Name: 'Hardware',
      Type: 'NonInventory',
      IncomeAccountRef: { value: '2', name: 'Sales of Product Income' },
    },
    { Id: '32', Name: 'Labor', Type: 'Service', IncomeAccountRef: { value: '1', name: 'Services' } },
  ],
  Class: [
    { Id: '40', Name: 'Managed' },
    { Id: '41', Name: 'Projects' },
  ],
  Term: [
    { Id: '50', Name: 'Net 30', Type: 'STANDARD', DueDays: 30 },
    { Id: '51', Name: 'Due on receipt', Type: 'STANDARD', DueDays: 0 },
  ],
};
