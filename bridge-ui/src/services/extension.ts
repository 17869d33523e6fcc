/** The app's `ExtensionService`, bound to the configured extension id. */
import { ExtensionService } from "./ExtensionService";
import { extensionId } from "./session";

export const extension = new ExtensionService(extensionId);
