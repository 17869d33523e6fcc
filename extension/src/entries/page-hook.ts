import { installPageHook } from "../page-hook";

installPageHook(window);
