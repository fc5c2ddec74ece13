// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Behaves like TRON's USDT-TRC20: transfer() moves the balance but returns false. With `broken` set,
/// transfer() returns true and moves nothing, which the routers must refuse.
contract FalseReturnToken is ERC20 {
    bool public broken;

    constructor() ERC20("False USD", "fUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBroken(bool b) external {
        broken = b;
    }

    function transfer(address to, uint256 amount) public override returns (bool) {
        if (broken) return true;
        super.transfer(to, amount);
        return false;
    }
}
