/** A file name from user text: no path separators or control characters, at most 120 characters. */
export function safeFileName(text: string): string {
  const cleaned = text
    .replace(/[\p{Cc}/\\:*?"<>|]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 120)
    .trim();
  return cleaned || "shootout";
}
