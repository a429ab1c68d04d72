// Markdown templates are bundled as text (tsup `loader: { '.md': 'text' }`, a vite plugin in tests).
declare module '*.md' {
  const text: string;
  export default text;
}
