a();
  //# sourceMappingURL=gone.map
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="d8dfb9d3-933f-5e12-ba3a-6b4ddf15f5c2")}catch(e){}}();
//# debugId=d8dfb9d3-933f-5e12-ba3a-6b4ddf15f5c2
