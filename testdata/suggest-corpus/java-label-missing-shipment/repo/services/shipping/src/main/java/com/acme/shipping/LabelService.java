package com.acme.shipping;

import java.time.Clock;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class LabelService {
    private static final Logger log = LoggerFactory.getLogger(LabelService.class);

    private final ShipmentRepository shipments;
    private final LabelPrinter printer;
    private final Clock clock;

    public LabelService(ShipmentRepository shipments, LabelPrinter printer, Clock clock) {
        this.shipments = shipments;
        this.printer = printer;
        this.clock = clock;
    }

    @Transactional
    public void printLabel(String orderId) {
        Shipment shipment = shipments.findByOrderId(orderId).orElse(null);
        printer.print(shipment.getLabel());
        shipment.setLabelPrintedAt(Instant.now(clock));
        log.info("label printed for order {}", orderId);
    }

    @Transactional(readOnly = true)
    public boolean printed(String orderId) {
        return shipments.findByOrderId(orderId)
            .map(s -> s.getLabelPrintedAt() != null)
            .orElse(false);
    }

    public void reprint(String orderId) {
        Shipment shipment = shipments.findByOrderId(orderId)
            .orElseThrow(() -> new ShipmentNotFoundException(orderId));
        printer.print(shipment.getLabel());
    }
}
