/**
 * The last applicant tried on the try page, kept in the browser (localStorage) per version, from which the editor
 * fills a new test case. Nothing leaves the browser; another browser simply has none.
 */
export function triedApplicantKey(standardId: string, versionId: number): string {
  return `jifen.triedApplicant.${standardId}.${versionId}`;
}
