import { expect } from "chai";
import { VendorError } from "../../components/http";

/** Awaits a call that must fail with a VendorError and returns it; a call that succeeds fails the test. */
export async function failure(p: Promise<unknown>): Promise<VendorError> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(VendorError);
    return e as VendorError;
  }
  throw new Error("expected the call to fail");
}

/** Awaits a call that must fail, with any error, and returns the error; a call that succeeds fails the test. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

/** What a user can act on: the words every piece of advice in this module's messages starts from. */
export const ADVICE =
  /\b(check|set|rerun|run|activate|grant|create|add|use|turn|tick|give|fix|remove|narrow|ask|switch|wait|install|enable|needs?)\b/i;
