/** What an `ExtensionService` failure means, in words a creator or analyst can act on. */
import { type ExtensionFailed, NOT_INSTALLED_MESSAGE } from "../services/ExtensionService";

const UNKNOWN_REQUEST = /unknown message type/i;

export function extensionFailureText(result: ExtensionFailed): string {
  switch (result.error) {
    case "not_configured":
      return "No extension id is set: enter it in Settings (Agent).";
    case "not_installed":
      return result.message === NOT_INSTALLED_MESSAGE
        ? NOT_INSTALLED_MESSAGE
        : `${NOT_INSTALLED_MESSAGE} (Chrome: ${result.message})`;
    case "timeout":
      return result.message;
    case "rejected":
      return UNKNOWN_REQUEST.test(result.message)
        ? "This version of the OFCA extension does not know this request: update the extension."
        : `The extension refused: ${result.message}`;
    case "runtime_error":
      return `Chrome reported: ${result.message}`;
    case "bad_response":
      return result.message;
  }
}
