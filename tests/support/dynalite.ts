// The sandbox (`npm start`) and the tests share one way of starting a local DynamoDB.
export { LOCAL_CREDENTIALS, startDynamo, type LocalDynamo } from '../../sandbox/local-dynamo';
