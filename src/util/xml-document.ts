import { DOMParser } from '@xmldom/xmldom';

/**
 * `xml` parsed to a DOM, or the parser's complaint thrown as `invalid(problem)`.
 * xmldom (node-saml's and xml-crypto's parser) never fetches external entities or DTDs.
 */
export function parseXmlDocument(xml: string, invalid: (problem: string) => Error): Document {
  const complain = (msg: unknown) => {
    throw invalid(String(msg).split('\n')[0] ?? 'not XML');
  };
  const doc = new DOMParser({
    errorHandler: { warning: () => {}, error: complain, fatalError: complain },
  }).parseFromString(xml, 'text/xml');
  if (!doc?.documentElement) throw invalid('not XML');
  return doc;
}
