/**
 * js-hcl-parser: HashiCorp's HCL v1 (github.com/hashicorp/hcl) compiled to JavaScript with GopherJS. It ships no types.
 * Both functions return a string and never throw for bad input: on failure the string starts with
 * `unable to parse JSON: ` (parse) or `unable to parse HCL: ` (stringify), followed by the Go error text.
 */
declare module 'js-hcl-parser' {
  /** HCL (or JSON) text -> JSON text of `hcl.Unmarshal(input, &interface{})`, indented, keys sorted. */
  export function parse(input: string): string;
  /** HCL text -> HCL text, reformatted by HCL's printer. */
  export function stringify(input: string): string;
}
