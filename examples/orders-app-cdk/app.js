// Acme Orders written with the AWS CDK: the same service as ../orders-app/template.yaml (SAM), for remit's
// parity test. Deliberately vulnerable, like the SAM example: do not deploy it.
//
// Synthesise (offline, no AWS account needed):  npm install && node app.js   (writes ./cdk.out)
// The handler code stays one copy, in ../orders-app/src; CDK stages a copy of each directory as an asset.
'use strict';

const path = require('path');
const cdk = require('aws-cdk-lib');
const apigateway = require('aws-cdk-lib/aws-apigateway');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const events = require('aws-cdk-lib/aws-events');
const targets = require('aws-cdk-lib/aws-events-targets');
const iam = require('aws-cdk-lib/aws-iam');
const lambda = require('aws-cdk-lib/aws-lambda');
const logs = require('aws-cdk-lib/aws-logs');

const SRC = path.join(__dirname, '..', 'orders-app', 'src');
const code = (dir) => lambda.Code.fromAsset(path.join(SRC, dir));

class OrdersStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const stage = new cdk.CfnParameter(this, 'Stage', { type: 'String', default: 'dev', allowedValues: ['dev', 'prod'] });
    const dbPassword = new cdk.CfnParameter(this, 'DatabasePassword', { type: 'String', noEcho: true });
    new cdk.CfnCondition(this, 'IsProd', { expression: cdk.Fn.conditionEquals(stage.valueAsString, 'prod') });

    // ---------------------------------------------------------------- data
    const table = new dynamodb.Table(this, 'OrdersTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: cdk.RemovalPolicy.DESTROY,
    });

    const uploads = new cdk.aws_s3.CfnBucket(this, 'UploadsBucket', {
      publicAccessBlockConfiguration: {
        blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false,
      },
    });
    new cdk.aws_s3.CfnBucketPolicy(this, 'UploadsBucketPolicy', {
      bucket: uploads.ref,
      policyDocument: {
        Statement: [{
          Sid: 'PartnersUploadProductImages', Effect: 'Allow', Principal: '*',
          Action: ['s3:PutObject', 's3:GetObject'], Resource: `${uploads.attrArn}/*`,
        }],
      },
    });
    const reports = new cdk.aws_s3.CfnBucket(this, 'ReportsBucket', {
      accessControl: 'PublicRead',
      ownershipControls: { rules: [{ objectOwnership: 'ObjectWriter' }] },
    });

    new cdk.aws_kms.CfnKey(this, 'DataKey', {
      description: 'Key for order data',
      enableKeyRotation: true,
      keyPolicy: {
        Statement: [
          { Sid: 'AccountAdmins', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${cdk.Aws.ACCOUNT_ID}:root` },
            Action: 'kms:*', Resource: '*' },
          { Sid: 'AnyoneCanDecrypt', Effect: 'Allow', Principal: { AWS: '*' },
            Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' },
        ],
      },
    });

    const queue = new cdk.aws_sqs.CfnQueue(this, 'FulfilmentQueue', { sqsManagedSseEnabled: false });
    new cdk.aws_sqs.CfnQueuePolicy(this, 'FulfilmentQueuePolicy', {
      queues: [queue.ref],
      policyDocument: {
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: queue.attrArn }],
      },
    });

    const topic = new cdk.aws_sns.CfnTopic(this, 'OrderEventsTopic');
    new cdk.aws_sns.CfnTopicPolicy(this, 'OrderEventsTopicPolicy', {
      topics: [topic.ref],
      policyDocument: {
        Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: ['sns:Subscribe', 'sns:Publish'],
          Resource: topic.ref }],
      },
    });

    const bus = new events.EventBus(this, 'PartnerBus', { eventBusName: 'acme-partner-events' });
    new events.CfnEventBusPolicy(this, 'PartnerBusPolicy', {
      eventBusName: bus.eventBusName, statementId: 'AnyAccountMayPutEvents', action: 'events:PutEvents',
      principal: '*',
    });

    const secret = new cdk.aws_secretsmanager.CfnSecret(this, 'PaymentProviderSecret', {
      description: 'Payment provider API credentials',
      generateSecretString: { secretStringTemplate: '{"username": "acme"}', generateStringKey: 'password' },
    });
    new cdk.aws_secretsmanager.CfnResourcePolicy(this, 'PaymentProviderSecretPolicy', {
      secretId: secret.ref,
      resourcePolicy: {
        Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'secretsmanager:GetSecretValue',
          Resource: '*' }],
      },
    });

    // every function: what SAM's Globals gave them
    const common = {
      runtime: lambda.Runtime.PYTHON_3_12,
      timeout: cdk.Duration.seconds(10),
      memorySize: 256,
      environment: { ORDERS_TABLE: table.tableName, STAGE: stage.valueAsString },
    };
    const basic = iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole');
    const lambdaRole = (id, managed, statements) => new iam.Role(this, id, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [basic, ...managed.map((n) => iam.ManagedPolicy.fromAwsManagedPolicyName(n))],
      inlinePolicies: Object.fromEntries(statements.map((s, i) => [
        `Policy${i}`, iam.PolicyDocument.fromJson({ Version: '2012-10-17', Statement: s })])),
    });
    const arn = (service, resource) => `arn:${cdk.Aws.PARTITION}:${service}:${cdk.Aws.REGION}:${cdk.Aws.ACCOUNT_ID}:${resource}`;

    // ---------------------------------------------------------------- public API
    const ordersRole = lambdaRole('OrdersFunctionRole', [], [
      [{ Effect: 'Allow', Resource: [table.tableArn, `${table.tableArn}/index/*`],
        Action: ['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:Query',
          'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable',
          'dynamodb:ConditionCheckItem'] }],
      [{ Sid: 'ExportsAnywhere', Effect: 'Allow', Action: 's3:*', Resource: '*' },
        { Sid: 'LaunchFulfilmentJobs', Effect: 'Allow',
          Action: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'], Resource: '*' }],
    ]);
    const orders = new lambda.Function(this, 'OrdersFunction', {
      ...common, description: 'Order lookup, search and export for the storefront.',
      code: code('orders'), handler: 'app.handler', role: ordersRole,
    });

    // ---------------------------------------------------------------- payment webhook (function URL)
    const webhookRole = lambdaRole('PaymentWebhookFunctionRole', ['AWSXrayWriteOnlyAccess', 'AmazonSQSFullAccess'], [
      [{ Effect: 'Allow', Action: 'sqs:SendMessage*', Resource: arn('sqs', queue.attrQueueName) }],
      [{ Effect: 'Allow', Action: 'sns:Publish', Resource: arn('sns', topic.attrTopicName) }],
      [{ Sid: 'PaymentMetrics', Effect: 'Allow', Action: 'cloudwatch:Put*', Resource: '*' }],
    ]);
    const webhook = new lambda.Function(this, 'PaymentWebhookFunction', {
      ...common, description: 'Receives payment notifications from the payment provider.',
      runtime: lambda.Runtime.NODEJS_22_X, code: code('webhook'), handler: 'index.handler',
      tracing: lambda.Tracing.ACTIVE, role: webhookRole,
      environment: {
        ...common.environment,
        PAYMENT_API_KEY: 'sk_live_51HqLx2eZvKYlo2C8fHk3jQpW0bM4rTn7',
        PAYMENT_SECRET_ARN: secret.ref,
        DB_PASSWORD: dbPassword.valueAsString,
      },
    });
    webhook.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
      cors: { allowedOrigins: ['*'], allowCredentials: true, allowedMethods: [lambda.HttpMethod.ALL] },
    });

    // ---------------------------------------------------------------- image pipeline (S3 trigger)
    const thumbnailsRole = lambdaRole('ThumbnailFunctionRole', [], [
      [{ Effect: 'Allow', Resource: [`arn:${cdk.Aws.PARTITION}:s3:::${uploads.ref}`, `arn:${cdk.Aws.PARTITION}:s3:::${uploads.ref}/*`],
        Action: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation', 's3:GetObjectVersion', 's3:PutObject',
          's3:PutObjectAcl', 's3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration', 's3:DeleteObject'] }],
      [{ Sid: 'HotfixOtherFunctions', Effect: 'Allow',
        Action: ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'], Resource: '*' }],
      [{ Effect: 'Allow', Action: 'ssm:DescribeParameters', Resource: '*' },
        { Effect: 'Allow', Action: ['ssm:GetParameters', 'ssm:GetParameter', 'ssm:GetParametersByPath'],
          Resource: arn('ssm', 'parameter/*') }],
    ]);
    const thumbnails = new lambda.Function(this, 'ThumbnailFunction', {
      ...common, description: 'Makes thumbnails of product images partners upload.',
      code: code('thumbnails'), handler: 'app.handler', role: thumbnailsRole,
      environment: { ...common.environment, UPLOADS_BUCKET: uploads.ref },
    });
    const uploadPermission = new lambda.CfnPermission(this, 'ThumbnailFunctionImageUploadedPermission', {
      action: 'lambda:InvokeFunction', functionName: thumbnails.functionName, principal: 's3.amazonaws.com',
      sourceAccount: cdk.Aws.ACCOUNT_ID,
    });
    uploads.notificationConfiguration = {
      lambdaConfigurations: [{ function: thumbnails.functionArn, event: 's3:ObjectCreated:*' }],
    };
    uploads.addDependency(uploadPermission);

    // ---------------------------------------------------------------- back office
    const backOffice = new iam.Role(this, 'BackOfficeRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [basic, iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaSQSQueueExecutionRole')],
      inlinePolicies: {
        'back-office': iam.PolicyDocument.fromJson({
          Statement: [
            { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: `${reports.attrArn}/*` },
            { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret.ref },
            { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue.attrArn },
            { Sid: 'PartnerOnboarding', Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:PutUserPolicy'],
              Resource: `arn:aws:iam::${cdk.Aws.ACCOUNT_ID}:user/partners/*` },
            { Sid: 'NeverPurgeFulfilment', Effect: 'Deny', Action: 'sqs:PurgeQueu', Resource: '*' },
            { Sid: 'WarehouseAndSchedules', Effect: 'Allow',
              Action: ['redshift:GetClusterCredentials', 'events:PutRule', 'events:PutTargets'], Resource: '*' },
          ],
        }),
      },
    });

    const reportsFn = new lambda.Function(this, 'ReportsFunction', {
      ...common, description: 'Nightly sales report; posts a summary to the partner callback.',
      code: code('reports'), handler: 'app.handler', role: backOffice,
      environment: { ...common.environment, REPORTS_BUCKET: reports.ref, PAYMENT_SECRET_ARN: secret.ref },
    });
    new events.Rule(this, 'Nightly', {
      schedule: events.Schedule.expression('cron(0 2 * * ? *)'), targets: [new targets.LambdaFunction(reportsFn)],
    });
    new events.Rule(this, 'PartnerEvents', {
      eventBus: bus, eventPattern: { source: ['partner.orders'] }, targets: [new targets.LambdaFunction(reportsFn)],
    });

    const fulfilment = new lambda.Function(this, 'FulfilmentFunction', {
      ...common, description: 'Sends orders to the warehouse.',
      code: code('reports'), handler: 'fulfil.handler', role: backOffice, tracing: lambda.Tracing.ACTIVE,
    });
    new lambda.EventSourceMapping(this, 'FulfilmentOrders', { target: fulfilment, eventSourceArn: queue.attrArn });

    const legacy = new lambda.Function(this, 'LegacyInvoiceFunction', {
      ...common, description: 'Old invoice generator kept for one partner.',
      runtime: lambda.Runtime.NODEJS_14_X, code: code('legacy'), handler: 'index.handler', role: backOffice,
    });
    legacy.node.defaultChild.addMetadata('remit', {
      ignore: [{ id: 'RMT-LAMBDA-009', reason: "tracing is not available in the legacy invoice vendor's network" }],
    });

    // the invoice partner calls the function directly from its own account
    new lambda.CfnPermission(this, 'LegacyPartnerInvoke', {
      functionName: legacy.functionName, action: 'lambda:InvokeFunction', principal: '*',
    });
    // the finance account pulls the nightly report on demand
    new lambda.CfnPermission(this, 'ReportsForFinanceAccount', {
      functionName: reportsFn.functionArn, action: 'lambda:InvokeFunction', principal: '444455556666',
    });
    new lambda.CfnPermission(this, 'ReportsFromAnyRule', {
      functionName: reportsFn.functionArn, action: 'lambda:InvokeFunction', principal: 'events.amazonaws.com',
    });

    const opsRole = lambdaRole('OpsToolsFunctionRole', ['AdministratorAccess'], []);
    const ops = new lambda.Function(this, 'OpsToolsFunction', {
      ...common, description: 'Internal operations helper (rotates partners, replays events).',
      code: code('admin'), handler: 'tools.handler', role: opsRole,
    });

    // ---------------------------------------------------------------- REST APIs (OpenAPI bodies, as SAM writes them)
    const integration = (fn) => ({
      httpMethod: 'POST', type: 'aws_proxy',
      uri: `arn:aws:apigateway:${cdk.Aws.REGION}:lambda:path/2015-03-31/functions/${fn.functionArn}/invocations`,
    });
    const cors = (extra) => ({
      summary: 'CORS support', consumes: ['application/json'], produces: ['application/json'], ...extra,
      'x-amazon-apigateway-integration': {
        type: 'mock', requestTemplates: { 'application/json': '{\n  "statusCode" : 200\n}\n' },
        responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{}\n' },
          responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'",
            'method.response.header.Access-Control-Allow-Methods': "'GET,POST,OPTIONS'" } } },
      },
      responses: { 200: { description: 'Default response for CORS method',
        headers: { 'Access-Control-Allow-Origin': { type: 'string' }, 'Access-Control-Allow-Methods': { type: 'string' } } } },
    });
    const proxy = (fn, extra) => ({ 'x-amazon-apigateway-integration': integration(fn), responses: {}, ...extra });

    const ordersApi = new apigateway.SpecRestApi(this, 'OrdersApi', {
      cloudWatchRole: false,
      deployOptions: { stageName: 'Prod', tracingEnabled: false },
      apiDefinition: apigateway.ApiDefinition.fromInline({
        swagger: '2.0', info: { version: '1.0', title: cdk.Aws.STACK_NAME },
        paths: {
          '/orders/{id}': { get: proxy(orders), options: cors({}) },
          '/orders': { get: proxy(orders), options: proxy(orders) },
          '/orders/export': { post: proxy(orders), options: cors({}) },
        },
      }),
    });
    for (const [name, method, route] of [['GetOrder', 'GET', '/orders/*'], ['SearchOrders', 'GET', '/orders'],
      ['ExportOrders', 'POST', '/orders/export'], ['Preflight', 'OPTIONS', '/orders']]) {
      orders.addPermission(`${name}Permission`, {
        principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
        sourceArn: ordersApi.arnForExecuteApi(method, route, '*'),
      });
    }

    const apiLogs = new logs.CfnLogGroup(this, 'InternalApiLogs', { retentionInDays: 90 });
    const internalApi = new apigateway.SpecRestApi(this, 'InternalApi', {
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'internal', tracingEnabled: false,
        variables: { partnerToken: 'ghp_R8xk2Lq9vN3mT7wY5bZ1cD4fG6hJ0kP2sQ8u' },
        accessLogDestination: { bind: () => ({ destinationArn: apiLogs.attrArn }) },
        accessLogFormat: apigateway.AccessLogFormat.custom('$context.requestId $context.identity.sourceIp $context.status'),
      },
      apiDefinition: apigateway.ApiDefinition.fromInline({
        swagger: '2.0', info: { version: '1.0', title: cdk.Aws.STACK_NAME },
        securityDefinitions: { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } },
        paths: {
          '/replay': { post: proxy(ops, { security: [{ api_key: [] }] }), options: cors({ security: [{ api_key: [] }] }) },
        },
      }),
    });
    ops.addPermission('ReplayPermission', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: internalApi.arnForExecuteApi('POST', '/replay', '*'),
    });
    const plan = internalApi.addUsagePlan('UsagePlan', {
      throttle: { rateLimit: 5, burstLimit: 10 }, apiStages: [{ api: internalApi, stage: internalApi.deploymentStage }],
    });
    plan.addApiKey(internalApi.addApiKey('ApiKey'));

    new logs.CfnLogGroup(this, 'OrdersFunctionLogs', { logGroupName: `/aws/lambda/${orders.functionName}` });

    // ---------------------------------------------------------------- order workflow
    const workflowRole = new iam.Role(this, 'RefundWorkflowRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      inlinePolicies: {
        Policy0: iam.PolicyDocument.fromJson({
          Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction',
            Resource: arn('lambda', `function:${fulfilment.functionName}*`) }],
        }),
      },
    });
    new cdk.aws_stepfunctions.CfnStateMachine(this, 'RefundWorkflow', {
      roleArn: workflowRole.roleArn,
      definition: {
        StartAt: 'NotifyPaymentProvider',
        States: {
          NotifyPaymentProvider: {
            Type: 'Task', Resource: 'arn:aws:states:::http:invoke', End: true,
            Parameters: {
              ApiEndpoint: 'https://payments.example.com/refunds', Method: 'POST',
              Headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY21lLXJlZnVuZHMifQ.c2lnbmF0dXJl' },
            },
          },
        },
      },
    });

    // ---------------------------------------------------------------- customers
    const pool = new cdk.aws_cognito.CfnUserPool(this, 'CustomerPool', {
      userPoolName: 'acme-customers',
      mfaConfiguration: 'OFF',
      policies: { passwordPolicy: { minimumLength: 6, requireNumbers: false, requireSymbols: false,
        requireUppercase: false, requireLowercase: true } },
      schema: [
        { name: 'email', attributeDataType: 'String', required: true },
        { name: 'role', attributeDataType: 'String', mutable: true },
        { name: 'loyalty_number', attributeDataType: 'String', mutable: false },
      ],
    });
    const client = new cdk.aws_cognito.CfnUserPoolClient(this, 'StorefrontClient', {
      userPoolId: pool.ref, generateSecret: true,
    });
    const guests = new cdk.aws_cognito.CfnIdentityPool(this, 'GuestIdentities', {
      allowUnauthenticatedIdentities: true,
      cognitoIdentityProviders: [{ clientId: client.ref, providerName: pool.attrProviderName }],
    });

    const guestRole = new iam.CfnRole(this, 'GuestRole', {
      assumeRolePolicyDocument: {
        Statement: [{ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' } } }],
      },
      policies: [{ policyName: 'guest-cart', policyDocument: {
        Statement: [{ Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:GetItem'], Resource: table.tableArn },
          // "to show a guest's order count": lists every identity of every pool
          { Effect: 'Allow', Action: 'cognito-identity:ListIdentities', Resource: '*' }],
      } }],
    });
    new cdk.aws_cognito.CfnIdentityPoolRoleAttachment(this, 'GuestIdentityRoles', {
      identityPoolId: guests.ref, roles: { unauthenticated: guestRole.attrArn },
    });

    // ---------------------------------------------------------------- access for CI, partners and schedules
    const role = (id, trust, policies) => new iam.CfnRole(this, id, {
      assumeRolePolicyDocument: { Statement: trust },
      ...(policies ? { policies } : {}),
    });
    role('DeployRole', [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: `arn:aws:iam::${cdk.Aws.ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com` },
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }],
    [{ policyName: 'deploy-orders', policyDocument: {
      Statement: [{ Effect: 'Allow', Action: 'lambda:UpdateFunctionCode', Resource: orders.functionArn }] } }]);
    role('PartnerSupportRole', [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' },
      { Sid: 'SupportVendor', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'acme-support' } } }],
    [{ policyName: 'support-metrics', policyDocument: {
      Statement: [{ Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' }] } }]);
    role('BreakGlassRole', [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }]);
    role('ReportScheduleRole', [{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' },
      Action: 'sts:AssumeRole' }],
    [{ policyName: 'invoke-reports', policyDocument: {
      Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: reportsFn.functionArn }] } }]);

    new cdk.CfnOutput(this, 'ApiUrl', { value: ordersApi.url });
    // handed to the storefront's build: anyone who can describe the stack reads it too
    new cdk.CfnOutput(this, 'StorefrontClientSecret', { value: client.attrClientSecret });
  }
}

const app = new cdk.App();
new OrdersStack(app, 'OrdersStack', {
  description: 'Acme Orders — a small order service, written for remit\'s demo. Deliberately vulnerable.',
  synthesizer: new cdk.DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
});
app.synth();
