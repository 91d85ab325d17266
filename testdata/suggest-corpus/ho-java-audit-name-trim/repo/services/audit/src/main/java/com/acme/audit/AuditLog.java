package com.acme.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

public class AuditLog {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

    public void signedIn(String name) {
        log.info("signed in: {}", name.trim());
    }

    public void signedOut(String name) {
        log.info("signed out: {}", name);
    }
}
