'use strict';

var nodemailer = require('nodemailer');
var templates = require('./templates');
var config = require('../config');

var transport = nodemailer.createTransport(config.smtp);

function render(template, vars) {
  return templates[template].replace(/\{\{(\w+)\}\}/g, function (_, key) {
    return vars[key] != null ? String(vars[key]) : '';
  });
}

function sendWelcome(account, callback) {
  var name = account.profile.name;
  var body = render('welcome', { name: name || 'there', plan: account.plan });
  transport.sendMail({
    from: config.from,
    to: account.email,
    subject: 'Welcome to Acme',
    text: body
  }, callback);
}

function sendReceipt(account, receipt, callback) {
  var body = render('receipt', { amount: receipt.amount, number: receipt.number });
  transport.sendMail({
    from: config.from,
    to: account.email,
    subject: 'Your receipt ' + receipt.number,
    text: body
  }, callback);
}

module.exports = {
  sendWelcome: sendWelcome,
  sendReceipt: sendReceipt
};
