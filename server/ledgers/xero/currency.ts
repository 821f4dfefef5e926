/** Xero stores document amounts with at most 2 decimal places, whatever the currency. */
export const XERO_AMOUNT_DECIMALS = 2;
/** Unit prices keep 4 decimal places when requests ask for unitdp=4. */
export const XERO_UNIT_DECIMALS = 4;
