// Receives payment notifications (Acme Orders demo: deliberately vulnerable).
const { exec } = require("child_process");
const serialize = require("node-serialize");
const _ = require("lodash");
const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");

const sqs = new SQSClient({});

exports.handler = async (event) => {
  const body = JSON.parse(event.body || "{}");
  const meta = serialize.unserialize(body.meta || "{}");
  const order = _.merge({}, body.order, meta);
  exec(`echo "payment ${body.reference}" >> /tmp/payments.log`);
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(order) }));
  return { statusCode: 200, body: JSON.stringify({ received: true }) };
};
