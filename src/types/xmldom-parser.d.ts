// The parser of @xmldom/xmldom, the one xml-crypto itself uses (a dependency of it, pinned beside it),
// imported from its own file: the package's typings pull the browser's DOM into the program, so only the
// few DOM members the CAP signature verifier reads are declared here.
declare module '@xmldom/xmldom/lib/dom-parser.js' {
  export interface XmlElement {
    readonly nodeType: number;
    readonly localName: string | null;
    readonly namespaceURI: string | null;
    readonly parentNode: unknown;
    readonly textContent: string | null;
    readonly childNodes: ArrayLike<XmlElement>;
    getAttribute(name: string): string | null;
    hasAttribute(name: string): boolean;
    getElementsByTagNameNS(ns: string, name: string): ArrayLike<XmlElement>;
  }
  export const DOMParser: new (options?: { errorHandler?: () => void }) => {
    parseFromString(xml: string, type: string): { readonly documentElement: XmlElement | null } & XmlElement;
  };
}
