"""APIs (``AWS::Serverless::Api`` and ``HttpApi``, the implicit ``ServerlessRestApi`` and ``ServerlessHttpApi``,
``Api`` and ``HttpApi`` events) expanded by remit itself give what aws-sam-translator gives, or are refused.

Compared as :func:`remit.loaders.sam_native.contract.comparable` text: everything key for key and in order,
except the key order inside an OpenAPI document and the digest naming a deployment (documented as different by
design in :mod:`remit.loaders.sam_native.rest_api`), and the reports of a scan do not differ at all."""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from remit.api import scan
from remit.loaders import sam_native
from remit.loaders.sam_native.common import clone
from remit.loaders.sam_native.contract import comparable
from remit.loaders.sam_native.rest_api import deployment_digest
from remit.options import ScanOptions
from remit.report import Format, render

from .test_sam_native import HEAD, _template, _translated


def _fn(lid: str, events: str, extra: str = "") -> str:
    return f"""\
  {lid}:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
{extra}      Events:
{events}"""


ACCEPTED = {
    "implicit": HEAD + "Resources:\n" + _fn("Items", """\
        List: {Type: Api, Properties: {Path: /items, Method: GET}}
        One: {Type: Api, Properties: {Path: "/items/{id}", Method: get}}
        Put: {Type: Api, Properties: {Path: "/items/{id}/", Method: put}}
        Rest: {Type: Api, Properties: {Path: "/files/{proxy+}", Method: ANY}}
        Queue: {Type: SQS, Properties: {Queue: arn:aws:sqs:us-east-1:111122223333:q}}
""") + _fn("Other", """\
        Root: {Type: Api, Properties: {Path: /, Method: post}}
        Same: {Type: Api, Properties: {Path: /items, Method: post}}
""", "      FunctionName: !Sub ${AWS::StackName}-other\n") + "  Table:\n    Type: AWS::Serverless::SimpleTable\n",
    "explicit-managed": HEAD + """\
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Api:
    Type: AWS::Serverless::Api
    DependsOn: Log
    DeletionPolicy: Retain
    Properties:
      StageName: !Ref Stage
      Name: orders
      Description: the orders API
      EndpointConfiguration: REGIONAL
      TracingEnabled: true
      MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: 10}]
      AccessLogSetting: {DestinationArn: !GetAtt Log.Arn, Format: $context.requestId}
      Variables: {mode: test}
      CacheClusterEnabled: false
      CacheClusterSize: '0.5'
      MinimumCompressionSize: 1024
      FailOnWarnings: true
      Mode: overwrite
      ApiKeySourceType: HEADER
      Policy: {Version: '2012-10-17', Statement: []}
      DisableExecuteApiEndpoint: true
      BinaryMediaTypes: [image~1png, "*~1*"]
      Models:
        Order: {type: object, properties: {id: {type: string}}}
  Log:
    Type: AWS::Logs::LogGroup
""" + _fn("Orders", """\
        Get: {Type: Api, Properties: {Path: /orders, Method: get, RestApiId: !Ref Api}}
        Any: {Type: Api, Properties: {Path: /orders, Method: any, RestApiId: Api}}
""", "      FunctionName: orders-fn\n") + """\
Outputs:
  Url:
    Value: !Sub https://${Api}.execute-api.${AWS::Region}.amazonaws.com/${Api.Stage}/
  Deployment:
    Value: !Ref Api.Deployment
""",
    "explicit-openapi3-and-alias": HEAD + """\
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      OpenApiVersion: 3.0.1
      DisableExecuteApiEndpoint: false
      Models:
        User: {type: object, required: [name]}
      EndpointConfiguration: {Type: PRIVATE, VPCEndpointIds: [vpce-1], IpAddressType: dualstack}
""" + _fn("Fn", """\
        Get: {Type: Api, Properties: {Path: /a, Method: get, RestApiId: !Ref Api}}
""", "      AutoPublishAlias: live\n") + """\
Outputs:
  Alias:
    Value: !GetAtt Fn.Alias.Name
""",
    "author-bodies": HEAD + """\
Resources:
  Swagger:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: '2.0'
        info: {title: mine}
        paths:
          /mine: {get: {x-amazon-apigateway-integration: {type: mock}}}
  OpenApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      OpenApiVersion: '3.0'
      DefinitionBody:
        openapi: 3.0.1
        info: {title: mine}
        paths:
          /mine: {post: {responses: {}}}
  FromS3:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: s3://bucket/api.yaml
  Included:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody: {'Fn::Transform': {Name: AWS::Include, Parameters: {Location: s3://bucket/api.yaml}}}
  FromS3Parts:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: {Bucket: bucket, Key: api.yaml, Version: '3'}
""" + _fn("Fn", """\
        Mine: {Type: Api, Properties: {Path: /mine, Method: get, RestApiId: !Ref Swagger}}
        Yours: {Type: Api, Properties: {Path: /mine, Method: post, RestApiId: !Ref OpenApi}}
        Theirs: {Type: Api, Properties: {Path: /included, Method: post, RestApiId: !Ref Included}}
"""),
    "globals": HEAD + """\
Globals:
  Api:
    TracingEnabled: true
    OpenApiVersion: 3.0.1
    EndpointConfiguration: {Type: REGIONAL}
    Variables: {from: globals}
Resources:
  Named:
    Type: AWS::Serverless::Api
    Properties:
      StageName: beta-1
      Variables: {own: value}
""" + _fn("Fn", """\
        Get: {Type: Api, Properties: {Path: /, Method: get}}
"""),
    "http-implicit": HEAD + "Resources:\n" + _fn("Proxy", """\
        Everything: {Type: HttpApi}
        Items: {Type: HttpApi, Properties: {Path: "/items/{id}/{sub}", Method: GET, PayloadFormatVersion: '1.0'}}
        Any: {Type: HttpApi, Properties: {Path: "/files/{proxy+}", Method: ANY}}
""") + _fn("Other", """\
        Root: {Type: HttpApi, Properties: {Path: /, Method: post}}
        Rest: {Type: Api, Properties: {Path: /rest, Method: get}}
""", "      AutoPublishAlias: live\n"),
    "http-explicit": HEAD + """\
Globals:
  HttpApi:
    StageVariables: {from: globals}
    DefaultRouteSettings: {ThrottlingBurstLimit: 10}
Resources:
  Managed:
    Type: AWS::Serverless::HttpApi
    DependsOn: Log
    Properties:
      StageName: dev
      Name: my-api
      Description: mine
      FailOnWarnings: true
      DisableExecuteApiEndpoint: true
      CorsConfiguration:
        AllowOrigins: [https://example.com]
        AllowHeaders: [authorization]
        AllowMethods: [GET, POST]
        ExposeHeaders: [x-request-id]
        MaxAge: 600
        AllowCredentials: true
      AccessLogSettings: {DestinationArn: !GetAtt Log.Arn, Format: $context.requestId}
      RouteSettings: {"GET /a": {ThrottlingRateLimit: 5}}
  Written:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: $default
      DefinitionBody:
        openapi: 3.0.1
        info: {title: written}
        paths:
          /mine: {get: {responses: {}}}
  AnyOrigin:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: true
  FromS3:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: prod-1
      DefinitionUri: s3://bucket/api.yaml
  Included:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody: {'Fn::Transform': {Name: AWS::Include, Parameters: {Location: s3://bucket/api.yaml}}}
  Log:
    Type: AWS::Logs::LogGroup
""" + _fn("Fn", """\
        Default: {Type: HttpApi, Properties: {ApiId: !Ref Managed}}
        A: {Type: HttpApi, Properties: {Path: /a, Method: get, ApiId: !Ref Managed}}
        Yours: {Type: HttpApi, Properties: {Path: "/yours/{id}", Method: put, ApiId: Written}}
        S3: {Type: HttpApi, Properties: {Path: /s3, Method: get, ApiId: !Ref FromS3}}
""") + """\
Outputs:
  StageArn:
    Value: !GetAtt Managed.Stage.Arn
  Stage:
    Value: !Ref Managed.Stage
  Url:
    Value: !Sub https://${Written}.execute-api.${AWS::Region}.amazonaws.com/${Written.Stage}
""",
    "auth": HEAD + """\
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: Users
        ApiKeyRequired: true
        AddDefaultAuthorizerToCorsPreflight: false
        AddApiKeyRequiredToCorsPreflight: false
        Authorizers:
          Users:
            UserPoolArn: !GetAtt Pool.Arn
            AuthorizationScopes: [orders/read]
            Identity: {Header: X-Token, ValidationExpression: "^Bearer .+$"}
          Token:
            FunctionArn: !GetAtt Check.Arn
            FunctionInvokeRole: arn:aws:iam::111122223333:role/invoker
            Identity: {ReauthorizeEvery: 60, ValidationExpression: "^[a-z]+$"}
          Request:
            FunctionArn: !GetAtt Check.Arn
            FunctionPayloadType: REQUEST
            DisableFunctionDefaultPermissions: false
            Identity: {Headers: [Authorization], QueryStrings: [key], StageVariables: [v], Context: [sourceIp]}
          Quiet:
            FunctionArn: arn:aws:lambda:us-east-1:111122223333:function:quiet
            DisableFunctionDefaultPermissions: true
  Pool:
    Type: AWS::Cognito::UserPool
  Check:
    Type: AWS::Lambda::Function
    Properties: {Role: arn:aws:iam::111122223333:role/r, Code: {ZipFile: x}}
""" + _fn("Fn", """\
        Default: {Type: Api, Properties: {Path: /orders, Method: get, RestApiId: !Ref Api}}
        Public: {Type: Api, Properties: {Path: /health, Method: get, RestApiId: !Ref Api,
                                          Auth: {Authorizer: NONE, ApiKeyRequired: false}}}
        Scoped: {Type: Api, Properties: {Path: /orders, Method: post, RestApiId: !Ref Api,
                                          Auth: {Authorizer: Token, AuthorizationScopes: [orders/write]}}}
        Iam: {Type: Api, Properties: {Path: /admin, Method: any, RestApiId: !Ref Api, Auth: {Authorizer: AWS_IAM}}}
        Keyed: {Type: Api, Properties: {Path: /keyed, Method: put, RestApiId: !Ref Api, Auth: {ApiKeyRequired: true}}}
        Preflight: {Type: Api, Properties: {Path: /orders, Method: options, RestApiId: !Ref Api}}
"""),
    "auth-iam-by-default": HEAD + """\
Globals:
  Api:
    OpenApiVersion: 3.0.1
    Auth: {DefaultAuthorizer: AWS_IAM}
Resources:
""" + _fn("Fn", """\
        Get: {Type: Api, Properties: {Path: /a, Method: get}}
        Post: {Type: Api, Properties: {Path: /a, Method: post, Auth: {ApiKeyRequired: true}}}
"""),
    "cors": HEAD + """\
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Cors:
        AllowOrigin: "'https://example.com'"
        AllowHeaders: "'Content-Type,Authorization'"
        MaxAge: 600
        AllowCredentials: true
      Auth:
        DefaultAuthorizer: Token
        Authorizers:
          Token: {FunctionArn: arn:aws:lambda:us-east-1:111122223333:function:check}
""" + _fn("Fn", """\
        List: {Type: Api, Properties: {Path: /orders, Method: get, RestApiId: !Ref Api}}
        Add: {Type: Api, Properties: {Path: /orders, Method: post, RestApiId: !Ref Api}}
        All: {Type: Api, Properties: {Path: "/files/{proxy+}", Method: any, RestApiId: !Ref Api}}
        Own: {Type: Api, Properties: {Path: /own, Method: options, RestApiId: !Ref Api}}
"""),
    "cors-openapi3-iam": HEAD + """\
Globals:
  Api:
    OpenApiVersion: 3.0.1
    Cors: "'*'"
    Auth: {DefaultAuthorizer: AWS_IAM, AddDefaultAuthorizerToCorsPreflight: false}
Resources:
""" + _fn("Fn", """\
        Get: {Type: Api, Properties: {Path: /a, Method: get}}
        Put: {Type: Api, Properties: {Path: "/a/{id}", Method: put}}
"""),
    "http-tags": HEAD + """\
Globals:
  HttpApi:
    Tags: {from: globals}
Resources:
  Managed:
    Type: AWS::Serverless::HttpApi
    Properties:
      Tags:
        team: payments
        httpapi:createdBy: me
        stack: !Ref AWS::StackName
  Written:
    Type: AWS::Serverless::HttpApi
    Properties:
      Tags: {owner: me}
      DefinitionBody:
        openapi: 3.0.1
        info: {title: written}
        paths:
          /mine: {get: {responses: {}}}
  Empty:
    Type: AWS::Serverless::HttpApi
    Properties:
      Tags: {}
""" + _fn("Fn", """\
        A: {Type: HttpApi, Properties: {Path: /a, Method: get, ApiId: !Ref Managed}}
        B: {Type: HttpApi}
"""),
    "http-auth": HEAD + """\
Globals:
  HttpApi:
    Auth:
      EnableIamAuthorizer: true
      DefaultAuthorizer: AWS_IAM
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        EnableIamAuthorizer: true
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            JwtConfiguration: {Issuer: "https://cognito-idp.us-east-1.amazonaws.com/pool", Audience: [client]}
            IdentitySource: $request.header.Authorization
            AuthorizationScopes: [orders/read]
          Gate:
            FunctionArn: !GetAtt Check.Arn
            FunctionInvokeRole: arn:aws:iam::111122223333:role/invoker
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            EnableFunctionDefaultPermissions: true
            Identity: {Headers: [Authorization], Context: [routeKey], ReauthorizeEvery: 300}
  Check:
    Type: AWS::Lambda::Function
    Properties: {Role: arn:aws:iam::111122223333:role/r, Code: {ZipFile: x}}
""" + _fn("Fn", """\
        Default: {Type: HttpApi, Properties: {Path: /orders, Method: get, ApiId: !Ref Api}}
        Open: {Type: HttpApi, Properties: {Path: /health, Method: get, ApiId: !Ref Api, Auth: {Authorizer: NONE}}}
        Gated: {Type: HttpApi, Properties: {Path: /gated, Method: post, ApiId: !Ref Api, Auth: {Authorizer: Gate}}}
        Signed: {Type: HttpApi, Properties: {Path: /admin, Method: any, ApiId: !Ref Api, Auth: {Authorizer: AWS_IAM}}}
        Write: {Type: HttpApi, Properties: {Path: /orders, Method: post, ApiId: !Ref Api,
                                            Auth: {AuthorizationScopes: [orders/write]}}}
        Preflight: {Type: HttpApi, Properties: {Path: /orders, Method: options, ApiId: !Ref Api}}
        Implicit: {Type: HttpApi, Properties: {Path: /implicit, Method: get}}
"""),
    "auth-cors-own-swagger": HEAD + """\
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Cors: "'https://example.com'"
      Auth:
        DefaultAuthorizer: Token
        ApiKeyRequired: true
        Authorizers:
          Token: {FunctionArn: arn:aws:lambda:us-east-1:111122223333:function:check}
      DefinitionBody:
        swagger: '2.0'
        info: {title: mine}
        securityDefinitions:
          mine: {type: apiKey, name: x-mine, in: header}
        paths:
          /orders:
            get:
              security: [{mine: []}]
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: arn:aws:lambda:::x}
            post:
              x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: arn:aws:lambda:::x}
          /docs:
            get: {responses: {}}
""" + _fn("Fn", "        Get: {Type: Api, Properties: {Path: /orders, Method: get, RestApiId: !Ref Api}}\n"),
    "domains": HEAD + """\
Resources:
  Regional:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/abc
        BasePath: [/v1, /v2-beta]
        NormalizeBasePath: false
        SecurityPolicy: TLS_1_2
        MutualTlsAuthentication: {TruststoreUri: s3://bucket/truststore.pem, TruststoreVersion: "1"}
  Edge:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
      Domain:
        DomainName: !Sub edge.${AWS::StackName}.example.com
        CertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/def
        EndpointConfiguration: EDGE
""" + _fn("Fn", "        Get: {Type: Api, Properties: {Path: /a, Method: get, RestApiId: !Ref Regional}}\n"),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_native_api_expansion_equals_translator(tmp_path: Path, name: str) -> None:
    template = _template(tmp_path, ACCEPTED[name])
    native = clone(sam_native.expand(clone(template)))
    assert comparable(native) == comparable(_translated(template))


def test_implicit_api_documents_every_route_once(tmp_path: Path) -> None:
    native = sam_native.expand(clone(_template(tmp_path, ACCEPTED["implicit"])))
    body = native["Resources"]["ServerlessRestApi"]["Properties"]["Body"]
    assert sorted((path, sorted(item)) for path, item in body["paths"].items()) == [
        ("/", ["post"]), ("/files/{proxy+}", ["x-amazon-apigateway-any-method"]),
        ("/items", ["get", "post"]), ("/items/{id}", ["get"]), ("/items/{id}/", ["put"])]
    one = body["paths"]["/items/{id}"]["get"]
    assert one == {"x-amazon-apigateway-integration": {
        "type": "aws_proxy", "httpMethod": "POST",
        "uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Items.Arn}"
                           "/invocations"}}, "responses": {}}
    arns = {lid: res["Properties"]["SourceArn"]["Fn::Sub"][0].rsplit(":", 1)[1]
            for lid, res in native["Resources"].items() if res["Type"] == "AWS::Lambda::Permission"
            and res["Properties"]["Principal"] == "apigateway.amazonaws.com"}
    assert arns == {"ItemsListPermissionProd": "${__ApiId__}/${__Stage__}/GET/items",
                    "ItemsOnePermissionProd": "${__ApiId__}/${__Stage__}/GET/items/*",
                    "ItemsPutPermissionProd": "${__ApiId__}/${__Stage__}/PUT/items/*",
                    "ItemsRestPermissionProd": "${__ApiId__}/${__Stage__}/*/files/*",
                    "OtherRootPermissionProd": "${__ApiId__}/${__Stage__}/POST/",
                    "OtherSamePermissionProd": "${__ApiId__}/${__Stage__}/POST/items"}


def test_the_deployment_is_named_by_what_the_api_says(tmp_path: Path) -> None:
    """The id changes when the API does (a route, the OpenAPI version, the functions' names), not otherwise."""
    def deployment(text: str) -> str:
        native = sam_native.expand(clone(_template(tmp_path, text)))
        found = [lid for lid, res in native["Resources"].items() if res["Type"] == "AWS::ApiGateway::Deployment"]
        assert len(found) == 1
        stage = native["Resources"]["ServerlessRestApiProdStage"]["Properties"]
        assert stage["DeploymentId"] == {"Ref": found[0]}
        return str(found[0])

    base = HEAD + "Resources:\n" + _fn("Fn", "        Get: {Type: Api, Properties: {Path: /a, Method: get}}\n")
    first = deployment(base)
    assert first.startswith("ServerlessRestApiDeployment")
    assert len(first) == len("ServerlessRestApiDeployment") + 10
    assert deployment(base) == first
    assert deployment(base.replace("/a", "/b")) != first
    assert deployment(base.replace("Resources:", "Globals:\n  Api:\n    OpenApiVersion: 3.0.1\nResources:")) != first
    digest = deployment_digest({"paths": {}}, "3.0.1", "fn")
    assert digest == hashlib.sha1(b"{'paths': {}}||3.0.1||fn").hexdigest()


REFUSED = {
    "api-domain-route53": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
                           "      Domain: {DomainName: a.example.com, CertificateArn: arn:aws:acm:::c, "
                           "Route53: {HostedZoneId: Z1}}\n", "", "Api: Domain"),
    "api-auth-resource-policy": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
                                 "      Auth: {ResourcePolicy: {AwsAccountBlacklist: ['111122223333']}}\n", "",
                                 "Api: Auth"),
    "api-auth-usage-plan": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
                            "      Auth: {ApiKeyRequired: true, UsagePlan: {CreateUsagePlan: PER_API}}\n", "",
                            "Api: Auth"),
    "api-auth-own-document": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
                              "      Auth: {DefaultAuthorizer: AWS_IAM}\n"
                              "      DefinitionBody: {openapi: 3.0.1, info: {title: t}, paths: {}}\n", "",
                              "author's own document"),
    "event-none-without-default": ("", "        A: {Type: Api, Properties: {Path: /, Method: get, "
                                       "Auth: {Authorizer: NONE}}}\n", "Authorizer NONE"),
    "event-unknown-authorizer": ("", "        A: {Type: Api, Properties: {Path: /, Method: get, "
                                     "Auth: {Authorizer: Nope}}}\n", "does not define"),
    "api-cors-credentials-any-origin": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
                                        "      Cors: {AllowCredentials: true}\n", "", "AllowCredentials"),
    "api-cors-own-document": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
                              "      Cors: \"'*'\"\n"
                              "      DefinitionBody: {openapi: 3.0.1, info: {title: t}, paths: {}}\n", "",
                              "author's own document"),
    "api-tags": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n      Tags: {a: b}\n",
                 "", "Api: Tags"),
    "api-include": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
                    "      DefinitionBody: {'Fn::Transform': {Name: AWS::Include}, paths: {}}\n", "", "DefinitionBody"),
    "api-version-float": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n"
                          "      OpenApiVersion: 3.0\n", "", "OpenApiVersion of type float"),
    "api-no-stage": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties: {}\n", "", "StageName missing"),
    "event-auth-resource-policy": ("", "        Get: {Type: Api, Properties: {Path: /, Method: get, Auth: "
                                       "{ResourcePolicy: {IpRangeBlacklist: [10.0.0.0/8]}}}}\n", "event's Auth"),
    "event-unknown-api": ("", "        Get: {Type: Api, Properties: {Path: /, Method: get, RestApiId: !Ref Nope}}\n",
                          "RestApiId"),
    "event-twice": ("", "        A: {Type: Api, Properties: {Path: /, Method: get}}\n"
                        "        B: {Type: Api, Properties: {Path: /, Method: GET}}\n", "the same path and method"),
    "event-intrinsic-path": ("", "        A: {Type: Api, Properties: {Path: !Ref P, Method: get}}\n", "Path"),
    "implicit-name-taken": ("  ServerlessRestApi:\n    Type: AWS::ApiGateway::RestApi\n", "",
                            "ServerlessRestApi"),
    "http-auth-own-document": ("  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n"
                               "      Auth: {DefaultAuthorizer: AWS_IAM, EnableIamAuthorizer: true}\n"
                               "      DefinitionBody: {openapi: 3.0.1, info: {title: t}, paths: {}}\n", "",
                               "author's own document"),
    "http-auth-openid-url": ("  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n"
                             "      Auth: {Authorizers: {A: {OpenIdConnectUrl: https://x, IdentitySource: y}}}\n", "",
                             "HttpApi: an authorizer"),
    "http-cors-intrinsic": ("  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n"
                            "      CorsConfiguration: {AllowOrigins: [!Ref Origin]}\n", "", "intrinsic value"),
    "http-event-auth-without-api-auth": ("", "        A: {Type: HttpApi, Properties: {Auth: {Authorizer: NONE}}}\n",
                                         "Authorizer NONE"),
    "http-tags-with-uri": ("  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      Tags: {a: b}\n"
                           "      DefinitionUri: s3://bucket/api.yaml\n", "", "Tags with a document outside"),
    "http-tags-beside-a-rest-api": ("  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      Tags: {a: b}\n",
                                    "        A: {Type: Api, Properties: {Path: /, Method: get}}\n",
                                    "Python 2.7 dict"),
    "http-event-path-only": ("", "        A: {Type: HttpApi, Properties: {Path: /a}}\n", "Path or Method"),
    "http-event-on-written-route": (
        "  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionBody:\n"
        "        openapi: 3.0.1\n        info: {title: t}\n        paths: {/a: {get: {}}}\n",
        "        A: {Type: HttpApi, Properties: {Path: /a, Method: get, ApiId: !Ref Api}}\n", "already has"),
    "http-event-on-included-body": (
        "  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n"
        "      DefinitionBody: {'Fn::Transform': {Name: AWS::Include}}\n",
        "        A: {Type: HttpApi, Properties: {Path: /a, Method: get, ApiId: !Ref Api}}\n", "included"),
    "stage-not-alphanumeric": ("  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: v1-beta\n",
                               "        A: {Type: Api, Properties: {Path: /, Method: get, RestApiId: !Ref Api}}\n",
                               "not alphanumeric"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_native_api_expansion_refuses(tmp_path: Path, name: str) -> None:
    resources, events, reason = REFUSED[name]
    fn = _fn("Fn", events) if events else _fn("Fn", "        Q: {Type: SQS, Properties: {Queue: arn:aws:sqs:::q}}\n")
    template = _template(tmp_path, HEAD + "Resources:\n" + resources + fn)
    with pytest.raises(sam_native.Refused) as refused:
        sam_native.expand(clone(template))
    assert reason in refused.value.reason


def test_a_function_condition_reaching_an_api_is_refused(tmp_path: Path) -> None:
    text = HEAD + "Conditions:\n  On: !Equals [a, a]\nResources:\n" + _fn(
        "Fn", "        A: {Type: Api, Properties: {Path: /, Method: get}}\n").replace(
        "    Type: AWS::Serverless::Function\n", "    Type: AWS::Serverless::Function\n    Condition: On\n")
    with pytest.raises(sam_native.Refused, match="Condition"):
        sam_native.expand(clone(_template(tmp_path, text)))


def test_a_scan_reports_the_same_whichever_way_apis_are_expanded(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The stated differences (document key order, deployment digest) reach no finding, route or path."""
    for name in ("implicit", "explicit-managed", "globals", "http-implicit", "http-explicit", "auth", "cors",
                 "http-auth"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "template.yaml").write_text(ACCEPTED[name])
    monkeypatch.setenv("REMIT_NO_CACHE", "1")
    native = render(scan([tmp_path], ScanOptions()), Format.JSON)
    monkeypatch.setenv("REMIT_NO_NATIVE_SAM", "1")
    translated = render(scan([tmp_path], ScanOptions()), Format.JSON)
    assert native == translated
    assert '"RMT-LAMBDA-006"' in native


def test_python_27_dict_order_is_the_translators() -> None:
    """The order remit gives keys where the translator iterates a mapping in Python 2.7's order (the Lambda
    authorizers' permissions) is the order of the translator's own emulation, on random keys of every size."""
    from samtranslator.utils.py27hash_fix import Py27Dict

    from remit.loaders.sam_native.py27 import py27_order

    rng = random.Random(27)
    alphabet = string.ascii_letters + string.digits + "/{}_-$."
    for _ in range(400):
        keys = list(dict.fromkeys("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
                                  for _ in range(rng.randint(1, 80))))
        theirs = Py27Dict()
        for key in keys:
            theirs[key] = True
        assert py27_order(keys) == list(theirs.keys())


def test_a_plain_resource_with_odd_properties_beside_an_api(tmp_path: Path) -> None:
    """Hostile input found by mutating the cases above: a non-SAM resource whose Properties is a list, beside an
    implicit API. The scan goes on (it ended with an AttributeError before), the same with or without the
    translator."""
    (tmp_path / "template.yaml").write_text(HEAD + "Resources:\n  Odd:\n    Type: AWS::SNS::Topic\n"
                                            "    Properties: [1, 2]\n" + _fn(
                                                "Fn", "        Get: {Type: Api, Properties: {Path: /, Method: get}}\n"))
    native = sam_native.expand(clone(_template(tmp_path, (tmp_path / "template.yaml").read_text())))
    assert "ServerlessRestApiProdStage" in native["Resources"]
    result = scan([tmp_path], ScanOptions(parallel=False))
    assert result.scannable
    assert any(f.rule_id == "RMT-LAMBDA-006" for f in result.findings)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def test_mangled_api_templates_are_refused_or_expanded_as_the_translator_does(tmp_path: Path) -> None:
    """Each case above with one value replaced by something odd (a wrong type, an empty value, a reference to
    nothing): the native side refuses it or gives what the translator gives — never another error."""
    rng = random.Random(22)
    odd: list[Any] = [None, 0, True, "", "x", [], {}, {"Ref": "Nope"}, {"a": {"b": []}}, ["a"]]
    bases = [_template(tmp_path, text) for text in ACCEPTED.values()]
    compared = 0
    for _ in range(150):
        template = clone(rng.choice(bases))
        where = rng.choice([path for path in _paths(template["Resources"]) if path])
        node = template["Resources"]
        for key in where[:-1]:
            node = node[key]
        node[where[-1]] = clone(rng.choice(odd))
        try:
            native = clone(sam_native.expand(clone(template)))
        except sam_native.Refused:
            continue
        assert comparable(native) == comparable(_translated(template)), where
        compared += 1
    assert compared > 20
