package com.example.payments;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** The demo service: it logs what callers send it, which is exactly what CVE-2021-44228 turned into code execution. */
public final class PaymentsApi {
    private static final Logger LOG = LogManager.getLogger(PaymentsApi.class);

    private PaymentsApi() {
    }

    public static void pay(String account, long cents, String userAgent) {
        LOG.info("payment of {} cents to {} from {}", cents, account, userAgent);
    }
}
