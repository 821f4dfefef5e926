/** QBO display names: no ':' (it means sub-customer), no curly quotes, at most 100 characters. */
export const maxDisplayNameLength = 100;

export function cleanDisplayName(name: string): string {
  return name
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s*:\s*/g, ' - ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxDisplayNameLength);
}

/**
 * DisplayName is unique across customers, vendors and employees. When another kind already holds
 * the name, we add a suffix naming our kind, then a counter: "Acme (customer)", "Acme (customer 2)".
 */
export function displayNameCandidates(name: string, kind: 'customer' | 'vendor', count = 5): string[] {
  const base = cleanDisplayName(name);
  const suffixed = (suffix: string) => `${base.slice(0, maxDisplayNameLength - suffix.length - 1)} ${suffix}`;
  return [
    base,
    suffixed(`(${kind})`),
    ...Array.from({ length: count - 2 }, (_, i) => suffixed(`(${kind} ${i + 2})`)),
  ];
}

/** A string literal in QBO's query language: quotes escaped with a backslash. */
export const queryLiteral = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
