import { installContentRelay } from "../content";

installContentRelay(window, chrome.runtime);
