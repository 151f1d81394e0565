// Old invoice generator kept for one partner (Acme Orders demo).
exports.handler = async (event) => {
  const invoice = { id: event.id, total: event.total };
  return { statusCode: 200, body: JSON.stringify(invoice) };
};
