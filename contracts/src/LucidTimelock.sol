// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title LucidTimelock
/// @notice OpenZeppelin's TimelockController under a name of ours, so that it has its own build artifact.
/// Deployment: the Governor is the only proposer and canceller, anyone may execute a ready operation, and the
/// temporary admin (the deployer) renounces its role once the Governor is wired in.
contract LucidTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
