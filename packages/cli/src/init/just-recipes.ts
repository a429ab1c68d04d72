/**
 * Recipe names a justfile defines, read from its text (init reads the trunk's tree, not a checkout,
 * so `just --summary` has no file to run on). A recipe line starts at column 0 with a name, optional
 * parameters, then `:` that is not `:=` (an assignment). Attributes (`[private]`), comments,
 * settings (`set …`), aliases and indented recipe bodies are not recipes.
 */
export function justRecipes(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^@?([A-Za-z_][A-Za-z0-9_-]*)(?:\s+[^:=]*?)?\s*:(?!=)/.exec(line);
    if (!m || ['set', 'alias', 'export', 'import', 'mod'].includes(m[1])) continue;
    if (!names.includes(m[1])) names.push(m[1]);
  }
  return names;
}
