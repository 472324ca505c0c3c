// mvdan-sh is mvdan/sh's parser compiled to JavaScript (GopherJS) and ships no types: its nodes
// are Go structs seen from JavaScript, read in script-effects.ts through NodeType().
declare module 'mvdan-sh' {
  const sh: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    syntax: any;
  };
  export default sh;
}
