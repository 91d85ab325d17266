import React from 'react';
import { formatDate } from '../lib/dates';
import { AddressBlock } from './AddressBlock';

const CARRIERS = {
  dhl: 'DHL Express',
  ups: 'UPS Standard',
  post: 'Deutsche Post',
};

export function ShippingSummary({ order }) {
  const carrier = CARRIERS[order.carrier] || order.carrier;
  const address = order.shipping.address;

  return (
    <section className="shipping-summary">
      <h2>Shipping</h2>
      <p>
        {carrier}, expected {formatDate(order.expectedAt)}
      </p>
      {address ? (
        <AddressBlock address={address} />
      ) : (
        <p className="muted">No shipping address on file.</p>
      )}
    </section>
  );
}

export default ShippingSummary;
