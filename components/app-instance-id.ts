/**
 * The App instance ID: the Okta app ID of the Cerby app, which Cerby's web app calls "App instance Id". Both sides
 * carry it (Cerby stores it, Okta names the app by it), so its pattern and its check live here, beside neither.
 */
import { CheckFailure, addProblem, isKnown } from "./shared";

/** 20 ASCII letters and digits starting with 0oa, e.g. 0oa6a9uwbalsZ4enC0x7. */
export const APP_INSTANCE_ID_PATTERN = "^0oa[0-9A-Za-z]{17}$";

/** What it is and where to find it, for docs and messages. */
export const APP_INSTANCE_ID_DESCRIPTION =
  "the Okta app ID of the Cerby app (the segment after /instance/ in its Okta admin URL, e.g. 0oa6a9uwbalsZ4enC0x7)";

/** Problem with a given App instance ID (naming the fix), or undefined when it is well-formed. */
export function appInstanceIdProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length === 0) {
    return `is required: ${APP_INSTANCE_ID_DESCRIPTION}`;
  }
  if (!new RegExp(APP_INSTANCE_ID_PATTERN).test(value)) {
    return (
      `${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)} is not an Okta app ID: it must be 20 ` +
      "ASCII letters and digits starting with 0oa (copy the segment after /instance/ in the Cerby app's Okta admin URL)"
    );
  }
  return undefined;
}

/** The `appInstanceId` input of a side's check: a known value that is not an App instance ID is a failure. */
export function checkAppInstanceIdInput(raw: unknown, failures: CheckFailure[]): void {
  if (isKnown(raw)) addProblem(failures, "appInstanceId", appInstanceIdProblem(raw));
}
