// The tab icon: a white loudspeaker with two sound waves on the header's blue, 32 × 32. An SVG of a few
// hundred bytes, served from this app (no other origin under the strict CSP), scaled by the browser.
export const faviconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b4f8a"/><path d="M6 12.5h5l7-5.5v18l-7-5.5H6z" fill="#fff"/><path d="M21.5 11.5a6.5 6.5 0 0 1 0 9M24.5 8.5a10.5 10.5 0 0 1 0 15" fill="none" stroke="#fff" stroke-width="2.2" stroke-linecap="round"/></svg>`;
