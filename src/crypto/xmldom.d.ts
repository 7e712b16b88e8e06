/** The few DOM members the CAP signature verifier reads (xmldom.js says why not xmldom's own typings). */
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

export declare const DOMParser: new (options?: { errorHandler?: () => void }) => {
  parseFromString(xml: string, type: string): { readonly documentElement: XmlElement | null } & XmlElement;
};
