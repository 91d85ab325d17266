package com.acme.reports;

import java.time.LocalDate;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

@Component
public class ReportJob {
    private static final Logger log = LoggerFactory.getLogger(ReportJob.class);

    private final ReportStore store;
    private final Mailer mailer;
    private final String recipient;

    public ReportJob(ReportStore store, Mailer mailer, Settings settings) {
        this.store = store;
        this.mailer = mailer;
        Contact contact = settings.reportContact();
        this.recipient = contact.email();
    }

    public void run(LocalDate day) {
        List<Report> reports = store.forDay(day);
        for (Report report : reports) {
            Summary summary = report.summary();
            mailer.send(recipient, summary.title(), summary.body());
        }
        log.info("{} reports sent for {}", reports.size(), day);
    }
}
