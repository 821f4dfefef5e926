/** ISO 4217 minor-unit exponents that differ from 2; enough for the currencies Xero supports. */
const exponents: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export const currencyDecimals = (code: string): number => exponents[code.toUpperCase()] ?? 2;

/** Xero stores document amounts with at most 2 decimal places, whatever the currency. */
export const XERO_AMOUNT_DECIMALS = 2;
/** Unit prices keep 4 decimal places when requests ask for unitdp=4. */
export const XERO_UNIT_DECIMALS = 4;
