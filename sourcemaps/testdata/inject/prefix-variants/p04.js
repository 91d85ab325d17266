
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="4fd3949b-1d75-511e-a115-d32ef06f2258")}catch(e){}}();
#!/x
//# debugId=4fd3949b-1d75-511e-a115-d32ef06f2258
