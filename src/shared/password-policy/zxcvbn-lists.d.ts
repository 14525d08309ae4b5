// The single list files of the zxcvbn-ts language packages ship without type declarations; each
// one's default export is an array of words (see blocklist-words.ts).
declare module '@zxcvbn-ts/language-common/dist/passwords.json.mjs' {
  const words: string[];
  export default words;
}
declare module '@zxcvbn-ts/language-de/dist/commonWords.json.js' {
  const words: string[];
  export default words;
}
declare module '@zxcvbn-ts/language-en/dist/commonWords.json.mjs' {
  const words: string[];
  export default words;
}
