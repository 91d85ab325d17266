//cfoo();

!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="1692c283-1809-5f1d-b452-e7d449010a06")}catch(e){}}();
bar();
//# sourceMappingURL=a.js.map

//# debugId=1692c283-1809-5f1d-b452-e7d449010a06
