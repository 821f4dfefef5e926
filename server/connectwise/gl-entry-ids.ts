/** ConnectWise sends glEntryIds as one comma-separated string ("101,102,103"). */
export function parseGlEntryIds(text: string | null | undefined): number[] {
  if (!text) return [];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => /^\d+$/.test(part))
    .map(Number);
}
